import { type ExamplePipeline, pgAddressFromUrl } from '../../src/example/example-pipeline.ts';

/**
 * The example pipeline of a stack given by URLs: every peer reaches each side the same way this
 * process does, which holds on one machine. A stack whose Connect sees Postgres under another name
 * sets PG_HOST_FOR_PEERS (e.g. the Docker service name).
 */
export function pipelineFromUrls(pgUrlA: string, pgUrlB: string): ExamplePipeline {
  const a = pgAddressFromUrl(pgUrlA);
  const b = pgAddressFromUrl(pgUrlB);
  const peerHost = process.env.PG_HOST_FOR_PEERS;
  const forPeers = (s: typeof a) => (peerHost ? { ...s, host: peerHost } : s);
  return {
    serverA: a,
    serverB: b,
    databaseA: new URL(pgUrlA).pathname.slice(1),
    databaseB: new URL(pgUrlB).pathname.slice(1),
    serverAFromB: forPeers(a),
    serverAFromConnect: forPeers(a),
    serverBFromConnect: forPeers(b),
  };
}
