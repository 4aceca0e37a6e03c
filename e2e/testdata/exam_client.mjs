// Sends one request of teapot's client exam with Node's built-in fetch.
//
// Usage: node exam_client.mjs METHOD BODY URL; "node exam_client.mjs
// version" prints the versions of Node and of undici, which implements
// its fetch. A non-empty BODY is sent as a form. fetch refuses a URL
// with credentials in it (the Fetch standard's Request constructor), so
// they are taken out and sent as Authorization: Basic, as calling code
// would. redirect is left at its default, "follow". Any error is printed
// and ends the script with status 1: the exam's report says what the
// client did.

const args = process.argv.slice(2);
if (args.length === 1 && args[0] === 'version') {
  console.log(`Node ${process.version}, undici ${process.versions.undici ?? 'unknown'}`);
  process.exit(0);
}
if (args.length !== 3) {
  console.error('usage: node exam_client.mjs METHOD BODY URL');
  process.exit(2);
}
const [method, body, raw] = args;
const url = new URL(raw);
const headers = {};
if (url.username || url.password) {
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  url.username = '';
  url.password = '';
}
const init = { method, headers, signal: AbortSignal.timeout(30000) };
if (body !== '') {
  headers['Content-Type'] = 'application/x-www-form-urlencoded';
  init.body = body;
}
try {
  const response = await fetch(url, init);
  await response.arrayBuffer();
  console.log(response.status);
} catch (err) {
  console.error(`${err.name}: ${err.message}${err.cause ? ` (${err.cause.message ?? err.cause})` : ''}`);
  process.exit(1);
}
