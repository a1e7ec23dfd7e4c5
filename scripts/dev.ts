/**
 * `npm run dev`: the BFF (API, bundled demo server) and Vite's dev server side by side. Vite proxies
 * /api to the BFF, so the SPA reloads on save while talking to the real API. Ctrl-C stops both.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const children: ChildProcess[] = [
  spawn(
    process.execPath,
    ['--watch-path=src/bff', '--watch-path=src/avara-server', '--watch-path=src/contract', 'src/bff/server.ts'],
    {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: process.env.NODE_ENV ?? 'development' },
    },
  ),
  spawn('vite', [], { stdio: 'inherit', env: process.env }),
];

let stopping = false;
function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}

for (const child of children) child.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
