/**
 * Payloads are stored without a put-code (the desired state is independent of where it lives on
 * the record); ORCID requires the put-code attribute on the root element of a PUT body.
 */
export function withPutCode(xml: string, putCode: string): string {
  if (!/^\d+$/.test(putCode)) throw new TypeError(`put-code must be numeric, got ${JSON.stringify(putCode)}`);
  let start = 0;
  // Skip the XML declaration, comments and processing instructions before the root element.
  for (;;) {
    const lt = xml.indexOf('<', start);
    if (lt < 0) throw new TypeError('payload has no root element');
    const next = xml[lt + 1];
    if (next === '?' || next === '!') {
      start = xml.indexOf('>', lt) + 1;
      continue;
    }
    const nameEnd = /[\s/>]/.exec(xml.slice(lt + 1));
    if (!nameEnd) throw new TypeError('payload has no root element');
    const at = lt + 1 + nameEnd.index;
    const withoutOld = xml.slice(at).replace(/^(\s[^>]*?)\sput-code="[^"]*"/, '$1');
    return `${xml.slice(0, at)} put-code="${putCode}"${withoutOld}`;
  }
}
