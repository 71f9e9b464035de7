/**
 * Starts the dashboard as `tide up` and `tide operator` both do: on by default at
 * 127.0.0.1:7117; a default port that is taken (another tide on this machine) falls back to
 * a free one with a warning, while a port the user asked for that is taken is an error.
 */
import type { Logger } from 'pino';
import { Secret } from '../../secret.js';
import { startDashboardServer, type DashboardServer } from './server.js';
import type { DashboardSource } from './source.js';

/** The dashboard's default port. */
export const DEFAULT_DASHBOARD_PORT = 7117;

export interface DashboardFlags {
  dashboardPort?: number;
  dashboardHost?: string;
  /** TIDE_DASHBOARD_TOKEN when absent. */
  dashboardToken?: string;
}

export async function startDashboard(
  source: DashboardSource,
  opts: DashboardFlags,
  logger: Pick<Logger, 'warn'>,
): Promise<DashboardServer> {
  const token = opts.dashboardToken ?? process.env.TIDE_DASHBOARD_TOKEN;
  const start = (port: number) =>
    startDashboardServer({
      host: opts.dashboardHost ?? '127.0.0.1',
      port,
      token: token ? new Secret(token) : undefined,
      source,
    });
  if (opts.dashboardPort !== undefined) {
    const port = opts.dashboardPort;
    return start(port).catch((e: unknown) => {
      throw (e as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new Error(
            `--dashboard-port ${port}: the port is in use (leave the flag out to take a free one)`,
          )
        : e;
    });
  }
  try {
    return await start(DEFAULT_DASHBOARD_PORT);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    logger.warn(`dashboard: port ${DEFAULT_DASHBOARD_PORT} is taken, using a free port`);
    return start(0);
  }
}
