// A reference receiver of Patchgate's signed webhooks (docs/adr/0031): verifies
// Patchgate-Signature (HMAC-SHA256 over "<t>.<raw body>", 5-minute tolerance, constant-time
// compare), drops a Patchgate-Delivery-Id it has already processed, and prints each accepted
// delivery as one JSON line. For demonstrations and as a template for real receivers:
//   PATCHGATE_WEBHOOK_SECRET=… node webhook-receiver.mjs [port]
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.PATCHGATE_WEBHOOK_SECRET;
if (!secret) {
  process.stderr.write('set PATCHGATE_WEBHOOK_SECRET to the channel signing secret\n');
  process.exit(2);
}
const port = Number(process.argv[2] ?? 8099);
const processed = new Set();

function verify(header, body) {
  const t = /(?:^|,)t=(\d+)/.exec(header ?? '')?.[1];
  const signatures = [...(header ?? '').matchAll(/(?:^|,)v1=([0-9a-f]{64})/g)].map((m) => m[1]);
  if (t === undefined || signatures.length === 0) return 'malformed signature header';
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) return 'timestamp outside the tolerance';
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  const ok = signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
  return ok ? undefined : 'signature does not match';
}

createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    const problem = verify(request.headers['patchgate-signature'], body);
    const id = request.headers['patchgate-delivery-id'];
    if (problem !== undefined) {
      process.stderr.write(`refused ${id ?? '(no id)'}: ${problem}\n`);
      response.statusCode = 401;
      return response.end(problem);
    }
    if (!processed.has(id)) {
      processed.add(id);
      const message = JSON.parse(body.toString('utf8'));
      process.stdout.write(
        JSON.stringify({ verified: true, id, event: message.event, subject: message.subject }) +
          '\n',
      );
    }
    response.end('ok');
  });
}).listen(port, '127.0.0.1', () =>
  process.stderr.write(`listening on http://127.0.0.1:${port}/ (signature checked)\n`),
);
