// Runs s3rver (npm) in its own process: its continuation tokens use DES, which Node's OpenSSL 3
// offers only with --openssl-legacy-provider (given by test/helpers/s3.ts, not to the tests).
// Argument: the data directory and the bucket; prints the port once listening.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: process.env.S3RVER_LOG !== '1', directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${port}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
