// Writes run records through Keyv, one key per run. Never a whole-list dump: a supervisor
// with an empty memory can never overwrite what another one stored.
import type Keyv from 'keyv';
import type { RunJournal } from './run-journal.js';
import { createRunRecord, runRecordKey } from './run-record.js';

export class KeyvRunJournal implements RunJournal {
  constructor(
    private readonly keyv: Keyv,
    private readonly supervisor: string,
    private readonly now: () => number,
  ) {}

  async write(runId: string, snapshot: unknown, final: boolean): Promise<void> {
    const record = createRunRecord(this.supervisor, runId, snapshot, final, this.now());
    const stored = await this.keyv.set(runRecordKey(runId), record);
    if (!stored) throw new Error(`the store refused the record of run ${runId}`);
  }
}
