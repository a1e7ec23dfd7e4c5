/**
 * A real nginx (Debian's /usr/sbin/nginx) as the load balancer in front of several BFF instances,
 * for tests: its own process on a loopback port, with its config, pid file, logs and temporary
 * paths in a temporary folder. Round robin with no stickiness, so consecutive requests of one
 * person land on different instances; the upstream that served each answer is named in its
 * `X-Upstream` header and in the access log. The system's nginx service, if any, is never used.
 * Nothing here installs anything.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';
import { acceptsConnection, logTail, serverProcess } from './server-process.ts';

export const NGINX_BINARY = process.env.NGINX_BINARY ?? '/usr/sbin/nginx';

export interface NginxOptions {
  /** Loopback ports of the instances behind it (127.0.0.1). */
  upstreamPorts: number[];
  /** Its own loopback port; a free one when absent. */
  port?: number;
  /**
   * How long an answer may go silent before nginx cuts it. The event stream sends a comment every
   * few seconds, so this only has to be longer than that; default 1 hour, as in docs/deploy.md.
   */
  readTimeoutSeconds?: number;
  /** How long an instance that refused a connection is left out of the rotation (default 10 s, nginx's own). */
  failTimeoutSeconds?: number;
}

export interface RunningNginx {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  directory: string;
  /** The access log as lines of `METHOD path status upstream-address(es)` ("-" when none answered). */
  accessLog(): AccessLogLine[];
  /** Stops nginx (SIGTERM: it closes every connection at once; SIGKILL after 5 s); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same config. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

export interface AccessLogLine {
  method: string;
  path: string;
  status: number;
  /** Every upstream tried, in order (`127.0.0.1:1234`); a refused one comes before the one that answered. */
  upstreams: string[];
}

/** The nginx config for `options`, with every path inside `directory`. */
export function nginxConfig(directory: string, port: number, options: NginxOptions): string {
  const readTimeout = options.readTimeoutSeconds ?? 3600;
  const failTimeout = options.failTimeoutSeconds ?? 10;
  const servers = options.upstreamPorts
    .map((upstream) => `    server 127.0.0.1:${upstream} max_fails=1 fail_timeout=${failTimeout}s;`)
    .join('\n');
  // Run as root (as in CI containers), nginx would hand its workers to www-data, which cannot read
  // this folder; the workers stay root instead. As anyone else, nginx cannot switch users anyway.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${user}worker_processes 1;
pid ${join(directory, 'nginx.pid')};
error_log ${join(directory, 'error.log')} warn;

events {
  worker_connections 1024;
}

http {
  log_format upstreams '$request_method $uri $status $upstream_addr';
  access_log ${join(directory, 'access.log')} upstreams;
  client_body_temp_path ${join(directory, 'temp', 'client-body')};
  proxy_temp_path ${join(directory, 'temp', 'proxy')};
  fastcgi_temp_path ${join(directory, 'temp', 'fastcgi')};
  uwsgi_temp_path ${join(directory, 'temp', 'uwsgi')};
  scgi_temp_path ${join(directory, 'temp', 'scgi')};

  upstream worklist {
${servers}
    keepalive 16;
    # Shorter than the BFF's own keep-alive (10 s), so nginx never sends a request on a connection
    # the instance is closing (a PATCH lost that way would be a 502, as it cannot be resent).
    keepalive_timeout 5s;
  }

  server {
    listen 127.0.0.1:${port};
    client_max_body_size 1m;

    location / {
      proxy_pass http://worklist;
      # Keep-alive to the instances: HTTP/1.1 and no "Connection: close" passed on.
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      # $http_host keeps the port, so the app sees the address the browser used.
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      # The event stream: every line goes out as it comes, and a quiet stream is not cut.
      proxy_buffering off;
      proxy_read_timeout ${readTimeout}s;
      proxy_send_timeout ${readTimeout}s;
      # A dead instance refuses the connection: the request goes to the next one. nginx never
      # resends a POST or PATCH that reached an instance, so a change is never made twice.
      proxy_connect_timeout 2s;
      proxy_next_upstream error timeout;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/** Starts nginx and resolves once it accepts connections on its port. */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  if (!existsSync(NGINX_BINARY)) {
    throw new Error(
      `nginx is not installed (${NGINX_BINARY} is missing): \`sudo apt-get install nginx-light\` (or nginx), or set NGINX_BINARY.`,
    );
  }
  if (options.upstreamPorts.length === 0) throw new Error('nginx needs at least one upstream port');
  const directory = mkdtempSync(join(tmpdir(), 'rw-nginx-'));
  for (const name of ['client-body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(directory, 'temp', name), { recursive: true });
  const port = options.port ?? (await freePort());
  const configPath = join(directory, 'nginx.conf');
  writeFileSync(configPath, nginxConfig(directory, port, options));
  const outputPath = join(directory, 'output.log');
  // -e: the error log before the config is read (otherwise /var/log/nginx/error.log).
  const args = ['-p', directory, '-c', configPath, '-e', join(directory, 'error.log'), '-g', 'daemon off;'];
  const server = serverProcess({
    command: NGINX_BINARY,
    args,
    cwd: directory,
    outputPath,
    ready: () => acceptsConnection(port),
    what: `nginx on port ${port}`,
    logs: () => `${logTail(outputPath)}\n${logTail(join(directory, 'error.log'))}`,
  });
  const start = () => server.start();
  const stop = () => server.stop();

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    directory,
    accessLog: () => readAccessLog(join(directory, 'access.log')),
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function readAccessLog(path: string): AccessLogLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [method = '', path_ = '', status = '0', ...rest] = line.split(' ');
      // Several tries read "127.0.0.1:1, 127.0.0.1:2" (" : " between internal redirects); none reads "-".
      const upstreams = rest
        .join(' ')
        .split(/\s*,\s*|\s+:\s+/)
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '' && entry !== '-');
      return { method, path: path_, status: Number(status), upstreams };
    });
}
