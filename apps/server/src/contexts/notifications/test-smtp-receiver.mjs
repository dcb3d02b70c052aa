// A real SMTP server process for the notification tests (smtp-server): STARTTLS with the
// certificate the test generated, AUTH required (and only after STARTTLS). Prints one JSON
// line when listening ({ type: 'listening', port }) and one per message received.
import { readFileSync } from 'node:fs';
import { SMTPServer } from 'smtp-server';

const { SMTP_CERT, SMTP_KEY, SMTP_USER, SMTP_PASS } = process.env;
const print = (value) => process.stdout.write(JSON.stringify(value) + '\n');

const server = new SMTPServer({
  secure: false,
  key: readFileSync(SMTP_KEY),
  cert: readFileSync(SMTP_CERT),
  authMethods: ['PLAIN', 'LOGIN'],
  allowInsecureAuth: false,
  authOptional: false,
  logger: false,
  onAuth(auth, session, callback) {
    if (auth.username === SMTP_USER && auth.password === SMTP_PASS)
      return callback(null, { user: auth.username });
    const error = new Error('Invalid username or password');
    error.responseCode = 535;
    return callback(error);
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('end', () => {
      print({
        type: 'message',
        secure: session.secure,
        user: session.user,
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('base64'),
      });
      callback();
    });
  },
});
server.on('error', (error) => print({ type: 'error', message: error.message }));
server.listen(0, '127.0.0.1', () =>
  print({ type: 'listening', port: server.server.address().port }),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
