// Child process of the bench: the bundled Avara-compatible server on its own, as the BFF's upstream.
// Like the BFF's embedded server (and unlike `npm run avara-server`) it does not log each request,
// so the direct figures are the server's own cost, not its logging's.
import { startAvaraServer } from '../../src/avara-server/create-avara-server.ts';

const databasePath = process.env.BENCH_DATABASE;
const apiKey = process.env.BENCH_API_KEY;
const demoStudies = Number(process.env.BENCH_STUDIES);
if (!databasePath || !apiKey || !Number.isInteger(demoStudies)) {
  console.error('BENCH_DATABASE, BENCH_API_KEY and BENCH_STUDIES are required');
  process.exit(1);
}

const started = performance.now();
const server = await startAvaraServer({ databasePath, apiKey, demoStudies, host: '127.0.0.1', port: 0, logger: false });
const count = server.service.listStudies({ limit: 1 }).studies.length;
console.log(JSON.stringify({ url: server.url, seededMs: Math.round(performance.now() - started), ready: count === 1 }));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
