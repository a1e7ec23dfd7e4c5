import { startBffProcess, type BffProcess } from '../../test/support/bff-process.ts';
import { freePort } from '../../test/support/orthanc.ts';

/**
 * A BFF of the spec's own (`node src/bff/server.ts` with the spec's settings and DATA_DIR), that
 * the spec can stop and start again on the same port: the browser's page stays open meanwhile.
 */
export interface RestartableBff {
  readonly url: string;
  /** SIGTERM, as an operator's restart or a deployment does; resolves once the process has exited. */
  stop(): Promise<void>;
  /** Starts it again with the same settings; resolves once `/api/health` answers. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

export async function startRestartableBff(env: Record<string, string>): Promise<RestartableBff> {
  const port = await freePort();
  let running: BffProcess | null = await startBffProcess(port, env);
  const url = running.url;
  const stop = async () => {
    await running?.stop();
    running = null;
  };
  const start = async () => {
    if (running) return;
    running = await startBffProcess(port, env);
  };
  return {
    url,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
  };
}
