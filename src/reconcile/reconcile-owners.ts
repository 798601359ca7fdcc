// Owner reconciliation: a host tells which owners it still knows; runs of the others end.
import { InvalidOptionError } from '../errors.js';
import type { RunInfo } from '../types.js';
import type { Logger } from '../support/logger.js';

/** Options of `reconcileOrphans`. */
export interface ReconcileOwnersOptions {
  /** Whether the host still knows the run's owner. Called only for runs with an `ownerId`. */
  isOwned: (info: RunInfo) => boolean;
  /** Report what would be cancelled without cancelling anything. */
  dryRun?: boolean;
}

/** What `reconcileOrphans` did (or, with `dryRun`, would do). */
export interface OwnerReconcileResult {
  readonly dryRun: boolean;
  /** Live runs whose owner is gone: cancelled with reason `owner-gone`. */
  readonly cancelled: RunInfo[];
  /** Live runs whose owner the host still knows. */
  readonly kept: RunInfo[];
  /** Live runs without an `ownerId`: never cancelled by owner reconciliation. */
  readonly unowned: RunInfo[];
}

/**
 * Sorts live runs by ownership. Only the explicit `ownerId` is checked: never a name that
 * might be a session key or a run id.
 */
export function classifyOwners(
  live: readonly RunInfo[],
  options: ReconcileOwnersOptions,
): OwnerReconcileResult {
  if (typeof options.isOwned !== 'function') {
    throw new InvalidOptionError('isOwned', options.isOwned, 'a function (info) => boolean');
  }
  const result = {
    dryRun: options.dryRun ?? false,
    cancelled: [] as RunInfo[],
    kept: [] as RunInfo[],
    unowned: [] as RunInfo[],
  };
  for (const info of live) {
    if (info.ownerId === null) result.unowned.push(info);
    else if (options.isOwned(info)) result.kept.push(info);
    else result.cancelled.push(info);
  }
  return result;
}

/**
 * Cancels (`owner-gone`, through `cancel`) every live run whose explicit owner the host no
 * longer knows, unless it is a dry run, and logs the outcome.
 */
export async function reconcileOwners(
  live: readonly RunInfo[],
  options: ReconcileOwnersOptions,
  cancel: (runId: string) => Promise<unknown>,
  logger: Logger,
): Promise<OwnerReconcileResult> {
  const result = classifyOwners(live, options);
  if (!result.dryRun) {
    await Promise.all(result.cancelled.map((info) => cancel(info.id).catch(() => undefined)));
  }
  logger.info(
    {
      dryRun: result.dryRun,
      cancelled: result.cancelled.map((info) => info.id),
      kept: result.kept.length,
      unowned: result.unowned.length,
    },
    'owner reconciliation',
  );
  return result;
}
