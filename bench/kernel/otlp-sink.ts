// A local OTLP/HTTP sink for the tracing-on overhead runs: accepts every export, counts the spans,
// prints the count when stopped. node --import tsx bench/kernel/otlp-sink.ts <port>
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 4318);
let spans = 0;
let requests = 0;
const server = createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk: string) => {
    body += chunk;
  });
  request.on('end', () => {
    requests++;
    spans += body.split('"spanId"').length - 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(port, '127.0.0.1', () => process.stderr.write(`otlp sink on http://127.0.0.1:${port}\n`));
process.once('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ requests, spans })}\n`);
  server.close(() => process.exit(0));
});
