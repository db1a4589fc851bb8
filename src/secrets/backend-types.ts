// What every secrets backend (the OS keychain, src/secrets/keychain.ts; the
// encrypted file, src/secrets/encrypted.ts) offers. Its own module so the
// backends and the selection between them (src/secrets/backend.ts) do not
// import each other.

export type BackendName = 'keychain' | 'encrypted';
export const BACKEND_NAMES: readonly BackendName[] = ['keychain', 'encrypted'];

export interface SecretBackend {
  readonly name: BackendName;
  /** Where a session's secrets live, for messages. */
  location(session: string): string;
  get(session: string, key: string): Promise<string | undefined>;
  set(session: string, key: string, value: string): Promise<void>;
  /** Resolves to false when the key was not set. */
  delete(session: string, key: string): Promise<boolean>;
  /** Key names, sorted. */
  list(session: string): Promise<string[]>;
  getAll(session: string): Promise<Record<string, string>>;
  /** Sets several keys in one step (one write for the encrypted file). */
  setMany(session: string, entries: Record<string, string>): Promise<void>;
  /** Removes every secret of the session; resolves to how many there were. */
  purge(session: string): Promise<number>;
}
