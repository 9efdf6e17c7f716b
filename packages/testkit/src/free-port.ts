// Free TCP ports on 127.0.0.1: bind port 0, read the port the kernel chose, close. Another process may take the
// port between close and reuse; the window is milliseconds and callers bind soon after.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
