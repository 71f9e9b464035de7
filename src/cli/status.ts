/** `tide status`: asks the running `tide up` in this folder through its control socket. */
import { queryControl } from '../local/control.js';
import { stateDir } from '../local/state-dir.js';
import type { TideStatus } from '../scheduler/status.js';
import { renderStatusTable } from '../local/status-table.js';

export async function runStatus(opts: { json?: boolean }): Promise<number> {
  try {
    const status = (await queryControl(stateDir().controlSocket, '/status')) as TideStatus;
    if (opts.json) console.log(JSON.stringify(status, null, 2));
    else {
      console.log(renderStatusTable(status, { width: process.stdout.columns ?? 120 }));
      if (status.dashboard) console.log(`dashboard: ${status.dashboard}`);
    }
    return 0;
  } catch (e) {
    console.error(`tide status: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
