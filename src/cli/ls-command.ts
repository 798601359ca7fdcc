// `runwarden ls [--all]`: the live runs (with --all, the retained finished ones too), as a
// table or as JSON; `runwarden ls --tree`: the supervision tree (the supervisor, its groups
// and its live runs), indented, or as JSON.
import type { Command } from 'commander';
import type { SupervisorTree } from '../runtime/supervisor-tree.js';
import type { RunInfo } from '../types.js';
import { CliError } from './cli-error.js';
import { printJson, type ClientFor, type Print } from './command-helpers.js';
import type { ControlClient } from './control-client.js';
import { formatRunTable } from './format-run.js';
import { formatTree } from './format-tree.js';

interface LsOptions {
  all?: boolean;
  tree?: boolean;
  json?: boolean;
}

/** Adds the `ls` command to `program`. */
export function addLsCommand(program: Command, client: ClientFor, print: Print): void {
  program
    .command('ls')
    .description('list live runs (with --all, retained finished ones too; --tree, as a tree)')
    .option('--all', 'include finished runs')
    .option('--tree', 'show the supervision tree: the supervisor, its groups and live runs')
    .option('--json', 'print the records (with --tree, the tree)')
    .action(async (options: LsOptions, command: Command) => {
      const api = client(command);
      if (options.tree === true) {
        // The tree holds live actors only: finished runs are not in it.
        if (options.all === true) throw new CliError('--all does not apply to --tree', 2);
        await printTree(api, options.json === true, print);
        return;
      }
      const { runs } = await api.call<{ runs: RunInfo[] }>(
        'GET',
        `/v1/runs?all=${options.all === true}`,
      );
      if (options.json === true) printJson(print, runs);
      else print(`${formatRunTable(runs, Date.now())}\n`);
    });
}

async function printTree(api: ControlClient, json: boolean, print: Print): Promise<void> {
  const { tree } = await api.call<{ tree: SupervisorTree }>('GET', '/v1/tree');
  if (json) {
    printJson(print, tree);
    return;
  }
  const { runs } = await api.call<{ runs: RunInfo[] }>('GET', '/v1/runs?all=false');
  print(`${formatTree(tree, new Map(runs.map((run) => [run.id, run])))}\n`);
}
