import { MissingDependencyError } from './errors.js';

/**
 * Import a module that needs an optional peer dependency (a database driver, xmllint-wasm), and
 * turn "package not installed" into a {@link MissingDependencyError} that says what to install.
 * Any other failure (a broken native build, a syntax error) is rethrown as it is.
 */
export async function importOptional<T>(load: () => Promise<T>, packageName: string, neededFor: string): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(`'${packageName}'`)) throw new MissingDependencyError(packageName, neededFor, { cause: e });
    throw e;
  }
}
