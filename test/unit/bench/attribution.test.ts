import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { attributeProfile, bootstrapStages, frameCategory, packageOf, type CpuProfile } from '../../../bench/profile/attribution.js';

// A hand-written profile whose every sample's category is known (see the comments in the expectations).
const FIXTURE = fileURLToPath(new URL('../../../../test/fixtures/cpuprofile-categories.cpuprofile', import.meta.url));

describe('bench: CPU attribution of a profile', () => {
  const profile = JSON.parse(readFileSync(FIXTURE, 'utf8')) as CpuProfile;

  it('charges each sample\'s time (until the next sample) to its category, natives and Node\'s generic code to their caller', () => {
    expect(attributeProfile(profile)).to.deep.equal({
      idle: 200, // two (idle) samples
      gc: 30,
      program: 20,
      node: 40, // a socket read under nothing but the event loop
      http: 18, // uWS's cork under the uws adapter (10) and node:http's parser (8)
      pipeline: 5,
      json: 16, // core/http/responses.js json() (7) and a bare JSON.stringify (9)
      services: 3,
      metrics: 6, // core/metrics (2) and prom-client (4)
      msgpack: 11,
      redis: 60, // a native socket write under node:net under ioredis
      mysql: 70, // debug (a shared package) under mysql2
      ipc: 50,
      other: 0, // the last sample has no duration
    });
  });

  it('names packages, including scoped ones, and leaves shared ones to their caller', () => {
    expect(packageOf('file:///a/node_modules/@trufflesuite/uws-js-unofficial/dist/uws.js')).to.equal('@trufflesuite/uws-js-unofficial');
    expect(packageOf('file:///a/node_modules/knex/node_modules/debug/src/node.js')).to.equal('knex');
    expect(packageOf('file:///a/dist/core/app.js')).to.equal(undefined);
    expect(frameCategory({ functionName: 'createDebug', url: 'file:///a/node_modules/debug/src/common.js' })).to.equal(undefined);
    expect(frameCategory({ functionName: 'Router', url: 'file:///a/node_modules/router/index.js' })).to.equal('http');
    expect(frameCategory({ functionName: 'x', url: 'file:///a/dist/core/redis/instrumentRedis.js' })).to.equal('metrics');
    // A floor's serialisation counts as JSON, as the runtimes' json(): the floor gap compares like with like.
    expect(frameCategory({ functionName: 'json', url: 'file:///a/dist/bench/floors/reads.js' })).to.equal('json');
    expect(frameCategory({ functionName: 'answer', url: 'file:///a/dist/bench/floors/reads.js' })).to.equal('pipeline');
  });

  it('splits a fork request into stages by the innermost stage on each sample\'s stack', () => {
    const node = (id: number, functionName: string, url: string, children: number[] = []) => ({ id, callFrame: { functionName, url }, children });
    const fork: CpuProfile = {
      startTime: 0, endTime: 100,
      nodes: [
        node(1, '(root)', '', [2, 6]),
        node(2, 'preHandler', 'file:///a/dist/runtimes/fork/child.js', [3, 4]),
        node(3, 'createApplication', 'file:///a/dist/core/app.js', [5]),
        node(4, 'handshake', 'file:///a/node_modules/mysql2/lib/commands/client_handshake.js'),
        node(5, 'createRedis', 'file:///a/dist/core/redis/connection.js'),
        node(6, 'match', 'file:///a/dist/core/http/router.js'),
      ],
      samples: [3, 4, 5, 6, 2, 1],
      timeDeltas: [0, 10, 20, 30, 40, 50],
    };
    expect(bootstrapStages(fork)).to.deep.equal({ bootstrap: 10, mysqlConnect: 20, redisConnect: 30, routing: 40, close: 0, ipc: 0, handler: 0 });
  });
});
