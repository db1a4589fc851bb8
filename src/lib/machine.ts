// Who and where we are, for names shown to people (recipients, machines).
import * as os from 'node:os';

/** `user@host` (short host name) of this process. */
export function userAtHost(env: NodeJS.ProcessEnv): string {
  let user = env.USER || env.LOGNAME || '';
  if (!user) {
    try {
      user = os.userInfo().username;
    } catch {
      user = 'user'; // no passwd entry (containers): still a usable name
    }
  }
  return `${user}@${os.hostname().split('.')[0]}`;
}
