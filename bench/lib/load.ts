import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed 2xx requests per second over the round. */
  requestsPerSecond: number;
  /** Latency of every 2xx response in ms, at the resolution of process.hrtime (autocannon's own histogram rounds to 1 ms). */
  latencies: number[];
  failures: number;
  /** CPU time the load generator (this process) used per completed request, in ms. */
  loadGeneratorCpuMs: number;
}

/** One round of load at a fixed number of connections, for a fixed time. */
export function runLoad(options: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  /** For this long, or `amount` requests when given. */
  seconds: number;
  amount?: number;
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const cpuBefore = process.cpuUsage();
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        ...(options.amount === undefined ? { duration: options.seconds } : { amount: options.amount }),
        headers: options.headers ?? {},
        timeout: 10,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const cpu = process.cpuUsage(cpuBefore);
        resolve({
          requestsPerSecond: result['2xx'] / result.duration,
          latencies,
          failures: result.errors + result.timeouts + result.non2xx,
          loadGeneratorCpuMs: (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
