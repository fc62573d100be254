import { expect } from 'chai';
import fc from 'fast-check';
import { safeReturnPath } from '../../src/web/safe-return.js';

/**
 * Issue 13, finding 3: the input was checked, but the normalised path was returned, so
 * `/..//evil.example/` came out as `//evil.example/`. The property is on the output, judged by
 * the WHATWG URL parser (https://url.spec.whatwg.org/#concept-basic-url-parser), which is what a
 * browser applies to a `Location` header.
 */
const ORIGIN = 'https://journal.example';
const sameOrigin = (location: string) => new URL(location, `${ORIGIN}/a/b?c#d`).origin === ORIGIN;

describe('safeReturnPath', () => {
  it('keeps same-origin paths with their query and fragment', () => {
    expect(safeReturnPath('/submissions/s1?tab=orcid#top')).to.equal('/submissions/s1?tab=orcid#top');
    expect(safeReturnPath('/a/../b')).to.equal('/b');
  });

  it('never returns a path that a browser reads as another host (dot segments)', () => {
    for (const input of ['/..//evil.example/', '/.//x', '/%2e%2e//x', '/%2E//evil.example', '/a/..//evil.example', '/./%2e/%2E%2E//evil.example/p?q']) {
      const out = safeReturnPath(input);
      expect(sameOrigin(out), `${input} → ${out}`).to.equal(true);
      expect(out.startsWith('//'), `${input} → ${out}`).to.equal(false);
    }
  });

  it('refuses absolute, protocol-relative, backslash and control-character forms', () => {
    for (const input of ['https://evil.example/', '//evil.example', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', 'javascript:alert(1)', ' /x', 42, null]) {
      expect(safeReturnPath(input, '/home'), String(input)).to.equal('/home');
    }
  });

  it('property: whatever the input, the result is same-origin under the WHATWG parser', () => {
    const piece = fc.constantFrom('/', '//', '.', '..', '%2e', '%2E', '%2f', '%5c', '\\', '\t', '\n', '?', '#', '@', ':', 'evil.example', 'x', '%00', ' ', '%09', 'http:', ';', '&');
    const crafted = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(crafted, fc.string(), fc.webUrl(), fc.webPath()), fc.constantFrom('/', '/fallback'), (input, fallback) => {
        const out = safeReturnPath(input, fallback);
        return out.startsWith('/') && !out.startsWith('//') && !out.startsWith('/\\') && sameOrigin(out);
      }),
      { numRuns: 5000 },
    );
  });
});
