/**
 * The demo journal's publish pipeline: JATS 1.3 and Crossref 5.3.1 XML for an article, built
 * from the submission form. Pure. Every text value goes through `esc`, so a title such as
 * `Na<sup>+</sup> & "K"` stays text. The plugin then embeds the authenticated iDs into both.
 */

export interface ArticleXmlInput {
  doi: string;
  title: string;
  abstract: string;
  /** The article's landing page (Crossref `resource`). */
  url: string;
  /** `YYYY-MM-DD` */
  publishedAt: string;
  journal: { title: string; issn?: string; eissn?: string; publisher?: string };
  volume: string;
  issue: string;
  /** Article number (JATS `elocation-id`). */
  elocation: string;
  authors: { givenNames: string; familyName: string; email?: string }[];
  /** Unique id of this deposit (Crossref `doi_batch_id`). */
  batchId: string;
  /** When the deposit was built (Crossref `timestamp`). */
  now: Date;
}

/** XML-escape text and attribute values; drops characters XML 1.0 does not allow. */
export function esc(s: string): string {
  return s
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function dateParts(iso: string): { year: string; month: string; day: string } {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) throw new Error(`publishedAt must be YYYY-MM-DD, got "${iso}"`);
  return { year: m[1], month: m[2], day: m[3] };
}

/** Paragraphs of the abstract: blank lines separate them. */
function paragraphs(text: string): string[] {
  const out = text.split(/\r?\n\s*\r?\n/).map((p) => p.replace(/\s+/g, ' ').trim()).filter(Boolean);
  return out.length ? out : ['(No abstract.)'];
}

/** A JATS 1.3 (Journal Publishing) article: front matter and a one-paragraph body. */
export function buildJats(a: ArticleXmlInput): string {
  const d = dateParts(a.publishedAt);
  const contribs = a.authors
    .map((p) => [
      '        <contrib contrib-type="author">',
      `          <name><surname>${esc(p.familyName)}</surname>${p.givenNames ? `<given-names>${esc(p.givenNames)}</given-names>` : ''}</name>`,
      ...(p.email ? [`          <email>${esc(p.email)}</email>`] : []),
      '        </contrib>',
    ].join('\n'))
    .join('\n');
  const issns = [
    ...(a.journal.issn ? [`      <issn publication-format="print">${esc(a.journal.issn)}</issn>`] : []),
    ...(a.journal.eissn ? [`      <issn publication-format="electronic">${esc(a.journal.eissn)}</issn>`] : []),
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Publishing DTD v1.3 20210610//EN" "https://jats.nlm.nih.gov/publishing/1.3/JATS-journalpublishing1-3.dtd">',
    '<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" article-type="research-article" dtd-version="1.3" xml:lang="en">',
    '  <front>',
    '    <journal-meta>',
    `      <journal-id journal-id-type="publisher-id">demo</journal-id>`,
    `      <journal-title-group><journal-title>${esc(a.journal.title)}</journal-title></journal-title-group>`,
    ...issns,
    `      <publisher><publisher-name>${esc(a.journal.publisher ?? a.journal.title)}</publisher-name></publisher>`,
    '    </journal-meta>',
    '    <article-meta>',
    `      <article-id pub-id-type="doi">${esc(a.doi)}</article-id>`,
    `      <title-group><article-title>${esc(a.title)}</article-title></title-group>`,
    '      <contrib-group>',
    contribs,
    '      </contrib-group>',
    `      <pub-date publication-format="electronic" date-type="pub"><day>${d.day}</day><month>${d.month}</month><year>${d.year}</year></pub-date>`,
    `      <volume>${esc(a.volume)}</volume>`,
    `      <issue>${esc(a.issue)}</issue>`,
    `      <elocation-id>${esc(a.elocation)}</elocation-id>`,
    `      <self-uri xlink:href="${esc(a.url)}"/>`,
    `      <abstract>${paragraphs(a.abstract).map((p) => `<p>${esc(p)}</p>`).join('')}</abstract>`,
    '    </article-meta>',
    '  </front>',
    '  <body>',
    `    <p>${esc(paragraphs(a.abstract)[0])}</p>`,
    '  </body>',
    '</article>',
    '',
  ].join('\n');
}

function timestamp(now: Date): string {
  // Crossref wants a number that grows with each deposit of the same DOI: yyyymmddhhmmss.
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** A Crossref 5.3.1 deposit (`doi_batch`) for one journal article. */
export function buildCrossref(a: ArticleXmlInput): string {
  const d = dateParts(a.publishedAt);
  const pubDate = `<publication_date media_type="online"><month>${d.month}</month><day>${d.day}</day><year>${d.year}</year></publication_date>`;
  const people = a.authors
    .map((p, i) => `          <person_name sequence="${i === 0 ? 'first' : 'additional'}" contributor_role="author">${p.givenNames ? `<given_name>${esc(p.givenNames)}</given_name>` : ''}<surname>${esc(p.familyName)}</surname></person_name>`)
    .join('\n');
  const issns = [
    ...(a.journal.issn ? [`        <issn media_type="print">${esc(a.journal.issn)}</issn>`] : []),
    ...(a.journal.eissn ? [`        <issn media_type="electronic">${esc(a.journal.eissn)}</issn>`] : []),
  ];
  const publisher = a.journal.publisher ?? a.journal.title;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<doi_batch xmlns="http://www.crossref.org/schema/5.3.1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:jats="http://www.ncbi.nlm.nih.gov/JATS1" version="5.3.1" xsi:schemaLocation="http://www.crossref.org/schema/5.3.1 https://www.crossref.org/schemas/crossref5.3.1.xsd">',
    '  <head>',
    `    <doi_batch_id>${esc(a.batchId)}</doi_batch_id>`,
    `    <timestamp>${timestamp(a.now)}</timestamp>`,
    `    <depositor><depositor_name>${esc(publisher)}</depositor_name><email_address>deposits@example.org</email_address></depositor>`,
    `    <registrant>${esc(publisher)}</registrant>`,
    '  </head>',
    '  <body>',
    '    <journal>',
    '      <journal_metadata language="en">',
    `        <full_title>${esc(a.journal.title)}</full_title>`,
    ...issns,
    '      </journal_metadata>',
    '      <journal_issue>',
    `        ${pubDate}`,
    `        <journal_volume><volume>${esc(a.volume)}</volume></journal_volume>`,
    `        <issue>${esc(a.issue)}</issue>`,
    '      </journal_issue>',
    '      <journal_article publication_type="full_text">',
    `        <titles><title>${esc(a.title)}</title></titles>`,
    '        <contributors>',
    people,
    '        </contributors>',
    `        <jats:abstract>${paragraphs(a.abstract).map((p) => `<jats:p>${esc(p)}</jats:p>`).join('')}</jats:abstract>`,
    `        ${pubDate}`,
    `        <publisher_item><item_number item_number_type="article_number">${esc(a.elocation)}</item_number></publisher_item>`,
    `        <doi_data><doi>${esc(a.doi)}</doi><resource>${esc(a.url)}</resource></doi_data>`,
    '      </journal_article>',
    '    </journal>',
    '  </body>',
    '</doi_batch>',
    '',
  ].join('\n');
}
