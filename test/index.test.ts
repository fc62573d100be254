import { expect } from 'chai';
import { readFileSync } from 'node:fs';

/**
 * The package root is a promise to every host: adding a runtime name to it is a decision, not an
 * accident of `export *`. The emulator, the store adapters and the test helpers have their own
 * entry points (package.json "exports").
 */
const PLUGIN_AND_HELPERS = [
  'orcidConnect', 'loadConfig', 'pluginManifest', 'openStore', 'TokenCipher', 'parseTokenKey',
  'parseOrcidId', 'isOrcidId', 'orcidCheckDigit', 'buildWorkXml', 'buildPeerReviewXml', 'journalGroupId', 'buildServiceXml',
  'embedOrcidInJats', 'embedOrcidInCrossref', 'parseOrcidError', 'orcidErrorInWords', 'keptErrorInWords',
];
const ERROR_CLASSES = [
  'OrcidPluginError', 'ConfigError', 'InvalidInputError', 'InvalidOrcidIdError', 'InputFileError', 'StorageError', 'MissingDependencyError',
  'XmlError', 'EmbedConflictError', 'OrcidApiError', 'TokenRevokedError', 'TokenExpiredError', 'RateLimitedError', 'NetworkError', 'OAuthError',
  'ForbiddenError', 'UnauthenticatedError', 'NotFoundError', 'EditorNotReachableError', 'OrcidRefusalError', 'ScopeMissingError', 'IdentityMismatchError', 'NotSourceError', 'RecordUnavailableError',
  'GroupScopeMissingError', 'OrcidOAuthError', 'TokenDecryptError', 'IdTooLongError', 'CsrfError', 'JournalInvalidError', 'UnknownJournalError',
];
const ERROR_CODES = [
  'INVALID_ORCID_ID', 'INVALID_CONFIG', 'INVALID_INPUT', 'STORE_UNAVAILABLE', 'STORE_CORRUPT', 'STORE_URL_UNSUPPORTED', 'STORE_CONFLICT', 'LEASE_LOST',
  'ORCID_API_ERROR', 'ORCID_TOKEN_REVOKED', 'ORCID_TOKEN_EXPIRED', 'ORCID_RATE_LIMITED', 'ORCID_NETWORK_ERROR', 'OAUTH_STATE_MISMATCH', 'OAUTH_ERROR',
  'TOKEN_DECRYPT_FAILED', 'INVITATION_INVALID', 'XML_MALFORMED', 'XML_UNSAFE', 'XML_ENCODING_UNSUPPORTED', 'EMBED_CONFLICT', 'FORBIDDEN', 'NOT_FOUND',
  'INPUT_FILE_NOT_FOUND', 'INPUT_FILE_UNREADABLE', 'DEPENDENCY_MISSING', 'ORCID_SCOPE_MISSING', 'ORCID_IDENTITY_MISMATCH', 'ORCID_NOT_SOURCE',
  'ORCID_RECORD_UNAVAILABLE', 'ORCID_GROUP_SCOPE_MISSING', 'OAUTH_INVALID_GRANT', 'OAUTH_INVALID_CLIENT', 'OAUTH_SERVER_ERROR', 'ID_TOO_LONG',
  'ORCID_ERROR_CODES', 'ORCID_CONFLICT', 'ORCID_FORBIDDEN', 'ORCID_NOT_FOUND', 'ORCID_BAD_REQUEST', 'ORCID_UNAUTHORIZED', 'ORCID_SERVER_ERROR',
  'ORCID_UNEXPECTED_RESPONSE', 'CSRF_REJECTED', 'UNSUPPORTED_MEDIA_TYPE', 'UNAUTHENTICATED', 'EDITOR_NOT_REACHABLE', 'JOURNAL_INVALID', 'JOURNAL_UNKNOWN',
];

describe('the package root (koa-orcid-connect)', () => {
  it('exports exactly the plugin, its pure helpers and its errors', async () => {
    const root = await import('../src/index.js');
    expect(Object.keys(root).sort()).to.deep.equal([...PLUGIN_AND_HELPERS, ...ERROR_CLASSES, ...ERROR_CODES].sort());
  });

  it('exports every error class as a subclass of OrcidPluginError with a stable code', async () => {
    const root = (await import('../src/index.js')) as unknown as Record<string, unknown>;
    for (const name of ERROR_CLASSES.filter((n) => n !== 'OrcidPluginError')) expect((root[name] as { prototype: unknown }).prototype, name).to.be.instanceOf(root.OrcidPluginError as typeof Error);
    for (const name of ERROR_CODES.filter((n) => n !== 'ORCID_ERROR_CODES')) expect(root[name], name).to.equal(name);
  });

  it('names an entry file for every subpath in package.json, built from src/entries', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { import?: string; types?: string } | string> };
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== '.' && !k.endsWith('.json'));
    expect(subpaths).to.include.members(['./emulator', './sqlite', './mongodb', './testing']);
    for (const sub of subpaths) {
      const entry = pkg.exports[sub] as { import: string; types: string };
      expect(entry.import, sub).to.match(/^\.\/dist\/.+\.js$/);
      expect(entry.types, sub).to.equal(entry.import.replace(/\.js$/, '.d.ts'));
      const source = entry.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
      expect(readFileSync(source, 'utf8'), source).to.match(/^export /m);
    }
  });
});
