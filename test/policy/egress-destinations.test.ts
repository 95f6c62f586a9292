import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  destinationPaths,
  egressProblem,
  egressReason,
  jsonSchemaOf,
  namedDestinations,
  pathName,
} from '../../src/plugins/policy/egress-destinations.ts';

const ALLOW = ['example.com', 'https://api.other.org/v1/status?format=json'];

describe('egress destinations', () => {
  it('finds declared arguments and every property with a destination format, nested ones too', () => {
    const schema = jsonSchemaOf(
      z.object({
        url: z.url(),
        subject: z.string(),
        account: z.string(),
        cc: z.array(z.email()),
        recipients: z.array(z.object({ address: z.email(), name: z.string() })),
      }),
    );
    expect(destinationPaths(schema, ['account', 'url']).map(pathName)).toEqual([
      'account',
      'url',
      'cc[]',
      'recipients[].address',
    ]);
    const hosts = { type: 'object', properties: { h: { anyOf: [{ type: 'string', format: 'hostname' }] } } };
    expect(destinationPaths(hosts).map(pathName)).toEqual(['h']);
    expect(destinationPaths({ type: 'object', properties: { q: { type: 'string' } } })).toEqual([]);
  });

  it('reads the values a call gives those arguments', () => {
    const input = {
      url: ' https://a.example/ ',
      cc: ['x@y.example', ''],
      recipients: [{ address: 'z@w.example' }],
    };
    const paths = [['url'], ['cc', '*'], ['recipients', '*', 'address'], ['missing']];
    expect(namedDestinations(input, paths)).toEqual([
      { argument: 'url', value: 'https://a.example/' },
      { argument: 'cc[]', value: 'x@y.example' },
      { argument: 'recipients[].address', value: 'z@w.example' },
    ]);
    // A marked object argument: every text inside it counts.
    expect(namedDestinations({ target: { host: 'h.example', port: 1, path: ['/a'] } }, [['target']])).toEqual(
      [
        { argument: 'target', value: 'h.example' },
        { argument: 'target', value: '/a' },
      ],
    );
  });

  it('allows an allowlisted URL only when it carries no query, fragment or credentials', () => {
    expect(egressProblem('https://docs.example.com/guide/intro', ALLOW, [])).toBeUndefined();
    expect(egressProblem('https://example.com/search?q=secret', ALLOW, [])).toBe(
      'the URL carries a query string',
    );
    expect(egressProblem('https://example.com/#secret', ALLOW, [])).toBe('the URL carries a fragment');
    expect(egressProblem('https://me:secret@example.com/', ALLOW, [])).toBe('the URL carries credentials');
    expect(egressProblem('https://evil.example/', ALLOW, [])).toBe(
      "evil.example is outside the workspace's egress allowlist",
    );
    expect(egressProblem('https://notexample.com/', ALLOW, [])).toMatch(/outside/);
    expect(egressProblem('ftp://example.com/file', ALLOW, [])).toBe('a ftp: URL');
  });

  it('allows exactly a URL entry of the allowlist, query and all', () => {
    expect(egressProblem('https://api.other.org/v1/status?format=json', ALLOW, [])).toBeUndefined();
    expect(egressProblem('https://api.other.org/v1/status?format=xml', ALLOW, [])).toMatch(/outside/);
  });

  it('allows addresses and hosts at allowlisted domains, nothing that smuggles a path or query', () => {
    expect(egressProblem('bob@example.com', ALLOW, [])).toBeUndefined();
    expect(egressProblem('mail.example.com:587', ALLOW, [])).toBeUndefined();
    expect(egressProblem('mallory@evil.example', ALLOW, [])).toMatch(/outside/);
    expect(egressProblem('mailto:bob@example.com?body=secret', ALLOW, [])).toBe('a mailto: URL');
    expect(egressProblem('attacker.org/?x=.example.com', ALLOW, [])).toBe(
      'it is neither a URL nor a plain host or address',
    );
  });

  it("allows any destination that appears as is in the run's trusted input", () => {
    const task = 'Fetch https://evil.example/report?week=12 for me';
    expect(egressProblem('https://evil.example/report?week=12', [], [task])).toBeUndefined();
    expect(egressProblem('https://evil.example/report?week=13', [], [task])).toMatch(/outside/);
  });

  it('explains which argument, why, and where the untrusted content came from', () => {
    const tool = {
      name: 'visit',
      inputSchema: z.object({ link: z.string() }),
      destinations: ['link'],
    };
    const call = { tool, allowlist: ALLOW, trustedInput: [], taintedBy: ['"read_inbox"'] };
    expect(egressReason({ ...call, input: { link: 'https://example.com/a' } })).toBeUndefined();
    expect(egressReason({ ...call, input: { link: 'https://example.com/a?d=1' } })).toBe(
      'the link argument of "visit" names a destination (https://example.com/a?d=1: the URL carries a query ' +
        'string) and the run has read untrusted content from "read_inbox"',
    );
  });
});
