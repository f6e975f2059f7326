import { expect } from 'chai';
import { nodeRequestHead, RequestHead } from '../../../../runtimes/shared/httpFraming.js';

// The RFC 9112 framing rules every runtime applies to a request head its parser let through.

function problem(lines: ReadonlyArray<[string, string]>, target = '/en/products', version = '1.1'): { code: string; status: number; field?: string } | undefined {
  const head = new RequestHead();
  for (const [name, value] of lines) head.add(name, value);
  const error = head.problem(version, target);
  return error && { code: error.code, status: error.status, field: error.fields[0]?.field };
}

const HOST: [string, string] = ['host', '127.0.0.1:8080'];

describe('httpFraming: what RFC 9112 refuses in a request head', () => {
  it('lets a plain request through, with or without a body', () => {
    expect(problem([HOST])).to.equal(undefined);
    expect(problem([HOST, ['content-length', '26']])).to.equal(undefined);
    expect(problem([HOST, ['transfer-encoding', 'chunked']])).to.equal(undefined);
    expect(problem([HOST, ['transfer-encoding', 'Chunked']]), 'codings are case-insensitive').to.equal(undefined);
    expect(problem([HOST, ['transfer-encoding', ', chunked,']]), 'empty list elements are ignored').to.equal(undefined);
    expect(problem([['host', '[::1]:80']]), 'an IP literal').to.equal(undefined);
    expect(problem([], '/en', '1.0'), 'HTTP/1.0 needs no Host').to.equal(undefined);
    expect(problem([HOST], '/en/products?limit=5')).to.equal(undefined);
  });

  it('Host: missing on HTTP/1.1, given twice (even alike), or not a host[:port] → 400 naming host', () => {
    const refused = { code: 'MALFORMED_REQUEST', status: 400, field: 'host' };
    expect(problem([])).to.deep.equal(refused);
    expect(problem([HOST, ['host', 'example.com']])).to.deep.equal(refused);
    expect(problem([HOST, HOST])).to.deep.equal(refused);
    for (const value of ['', 'a b', '127.0.0.1/x', 'user@127.0.0.1', 'a, b', 'a:8o', '%zz']) {
      expect(problem([['host', value]]), JSON.stringify(value)).to.deep.equal(refused);
    }
  });

  it('Content-Length: given twice (even alike), or not digits → 400 naming content-length', () => {
    const refused = { code: 'MALFORMED_REQUEST', status: 400, field: 'content-length' };
    expect(problem([HOST, ['content-length', '5'], ['content-length', '5']])).to.deep.equal(refused);
    for (const value of ['', '-1', '+5', '5, 5', '0x5', 'abc', '1 2']) {
      expect(problem([HOST, ['content-length', value]]), JSON.stringify(value)).to.deep.equal(refused);
    }
  });

  it('Transfer-Encoding: with Content-Length, on HTTP/1.0, empty, chunked not last or twice → 400; another coding → 501', () => {
    const refused = { code: 'MALFORMED_REQUEST', status: 400, field: 'transfer-encoding' };
    expect(problem([HOST, ['content-length', '3'], ['transfer-encoding', 'chunked']])).to.deep.equal(refused);
    expect(problem([HOST, ['transfer-encoding', 'chunked']], '/en', '1.0')).to.deep.equal(refused);
    for (const value of ['', ' , ', 'chunked, gzip', 'xchunked', 'identity', 'chunked, chunked', 'chunked;q=1']) {
      expect(problem([HOST, ['transfer-encoding', value]]), JSON.stringify(value)).to.deep.equal(refused);
    }
    const unknown = { code: 'NOT_IMPLEMENTED', status: 501, field: 'transfer-encoding' };
    expect(problem([HOST, ['transfer-encoding', 'gzip, chunked']])).to.deep.equal(unknown);
    expect(problem([HOST, ['transfer-encoding', 'gzip'], ['transfer-encoding', 'chunked']]), 'two lines are one list').to.deep.equal(unknown);
  });

  it('a target with a fragment or a byte outside visible ASCII, a header line without a name → 400', () => {
    expect(problem([HOST], '/en/products/db/1#x')).to.deep.equal({ code: 'MALFORMED_REQUEST', status: 400, field: 'target' });
    expect(problem([HOST], '/en/products?a=1#x')).to.deep.equal({ code: 'MALFORMED_REQUEST', status: 400, field: 'target' });
    expect(problem([HOST], '/en/pr\u00c3\u00a9')).to.deep.equal({ code: 'MALFORMED_REQUEST', status: 400, field: 'target' });
    expect(problem([HOST, ['', 'v']])).to.deep.equal({ code: 'MALFORMED_REQUEST', status: 400, field: 'headers' });
  });

  it('header lines over node\'s limit → 431', () => {
    expect(problem([HOST, ['x-big', 'a'.repeat(20_000)]])).to.deep.equal({ code: 'HEADERS_TOO_LARGE', status: 431, field: undefined });
  });

  it('says whether a body is announced, and its declared length', () => {
    const head = (lines: ReadonlyArray<[string, string]>) => {
      const h = new RequestHead();
      for (const [name, value] of lines) h.add(name, value);
      return h;
    };
    expect(head([HOST]).hasBody).to.equal(false);
    expect(head([HOST, ['content-length', '0']]).hasBody).to.equal(false);
    expect(head([HOST, ['content-length', '5']]).hasBody).to.equal(true);
    expect(head([HOST, ['transfer-encoding', 'chunked']]).hasBody).to.equal(true);
    expect(head([HOST, ['content-length', '70000']]).contentLength).to.equal(70_000);
    expect(head([HOST]).contentLength).to.be.NaN;
  });

  it('reads node\'s rawHeaders with names in any case', () => {
    expect(nodeRequestHead(['HOST', 'a', 'Host', 'b']).problem('1.1', '/')?.fields[0]?.field).to.equal('host');
    expect(nodeRequestHead(['Host', 'a', 'Transfer-Encoding', 'gzip, chunked']).problem('1.1', '/')?.code).to.equal('NOT_IMPLEMENTED');
  });
});
