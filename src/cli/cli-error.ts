/** A CLI failure: one line for stderr and the exit code (1 failure, 2 usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** No daemon answers on the control socket (not started, or gone). */
export class DaemonUnreachableError extends CliError {
  constructor(message: string) {
    super(message, 1);
    this.name = 'DaemonUnreachableError';
  }
}
