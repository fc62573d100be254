import type { ResolvedContributor } from '../store/store.js';
import type { Article, EmbedContributor } from '../types.js';
import { embedOrcidInJats } from '../metadata/jats.js';
import { embedOrcidInCrossref } from '../metadata/crossref.js';
import type { EmbedReport } from '../metadata/match.js';

/** The article's authors with the iDs they authenticated (only those), from authors already resolved. */
export function authenticatedAuthors(article: Article, resolved: ResolvedContributor[]): EmbedContributor[] {
  const byId = new Map(resolved.map((r) => [r.contributor.id, r]));
  const out: EmbedContributor[] = [];
  for (const a of article.authors) {
    const r = byId.get(a.contributorId);
    const identity = r?.identity;
    if (!identity || identity.status !== 'linked' || !identity.authenticated) continue;
    out.push({ givenNames: a.givenNames, familyName: a.familyName, email: a.email ?? r.contributor.email ?? undefined, orcid: identity.orcid, authenticated: true });
  }
  return out;
}

/** JATS and Crossref XML of the article with the authenticated iDs embedded (when the host gave them). Pure. */
export function embedForArticle(article: Article, contributors: EmbedContributor[]): { jats?: string; crossref?: string; report?: { jats?: EmbedReport; crossref?: EmbedReport } } {
  if (article.jats === undefined && article.crossref === undefined) return {};
  const out: { jats?: string; crossref?: string; report: { jats?: EmbedReport; crossref?: EmbedReport } } = { report: {} };
  if (typeof article.jats === 'string') {
    const r = embedOrcidInJats(article.jats, contributors);
    out.jats = r.xml;
    out.report.jats = r.report;
  }
  if (typeof article.crossref === 'string') {
    const r = embedOrcidInCrossref(article.crossref, contributors);
    out.crossref = r.xml;
    out.report.crossref = r.report;
  }
  return out;
}
