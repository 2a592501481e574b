import { Command, CommanderError } from 'commander';
import { RELAY_VERSION } from '../relay/version';
import { registerMlflowCommands } from './mlflow-commands';
import { registerRelayCommand, registerStartCommand } from './relay-commands';
import { registerRunCommand } from './run-command';
import { registerTokenCommands } from './token-commands';

function buildProgram(): Command {
  const program = new Command();
  program
    .name('cairn')
    .description('Cairn: local-first ML tracking, registry and deployment. Runs the relay and manages its tokens.')
    .version(RELAY_VERSION)
    .showHelpAfterError()
    // `cairn relay reindex --data x`: options after a subcommand are the subcommand's.
    .enablePositionalOptions()
    .exitOverride();
  registerStartCommand(program);
  registerRelayCommand(program);
  registerTokenCommands(program);
  registerMlflowCommands(program);
  registerRunCommand(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version also arrive here, with exit code 0.
      process.exit(err.exitCode);
    }
    // Expected failures (bad flags, refused --open) are plain Errors: one line, no stack.
    process.stderr.write(`cairn: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

void main(process.argv);
