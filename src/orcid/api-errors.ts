/**
 * The typed errors of ORCID refusals that need their own handling, keyed on ORCID's error code
 * rather than the HTTP status alone (../shared/orcid-model/README.md "Error responses").
 * Each keeps ORCID's body (`body`, from OrcidApiError) and its parsed fields (`orcid`).
 */
import { OrcidApiError } from '../errors.js';
import { orcidErrorInWords, type OrcidErrorDetails } from './orcid-error.js';

export const ORCID_SCOPE_MISSING = 'ORCID_SCOPE_MISSING';
export const ORCID_IDENTITY_MISMATCH = 'ORCID_IDENTITY_MISMATCH';
export const ORCID_NOT_SOURCE = 'ORCID_NOT_SOURCE';
export const ORCID_RECORD_UNAVAILABLE = 'ORCID_RECORD_UNAVAILABLE';
export const ORCID_GROUP_SCOPE_MISSING = 'ORCID_GROUP_SCOPE_MISSING';

type Snapshot = { statusCode: number; body: string; headers?: Record<string, string> };

/** An ORCID refusal with its error body parsed (null when ORCID sent none we could read). */
export class OrcidRefusalError extends OrcidApiError {
  readonly orcid: OrcidErrorDetails | null;
  constructor(message: string, response: Snapshot, code: string, orcid: OrcidErrorDetails | null) {
    super(message, response, code);
    this.orcid = orcid;
  }
  /** ORCID's `error-code`, when it sent one. */
  get orcidCode(): number | undefined {
    return this.orcid?.errorCode;
  }
  /** What ORCID said, in words (no markup): see `orcidErrorInWords`. */
  get inWords(): string {
    return this.orcid ? orcidErrorInWords(this.orcid, this.statusCode) : this.message;
  }
}

/** 403 / 9038: the researcher's token lacks the scope; they must connect again. */
export class ScopeMissingError extends OrcidRefusalError {
  constructor(response: Snapshot, orcid: OrcidErrorDetails | null) {
    super('The ORCID access token lacks the permission this call needs; the researcher must connect again', response, ORCID_SCOPE_MISSING, orcid);
  }
}

/** 401 / 9017: the token was issued for a different ORCID record. */
export class IdentityMismatchError extends OrcidRefusalError {
  constructor(response: Snapshot, orcid: OrcidErrorDetails | null) {
    super('The ORCID access token belongs to a different record', response, ORCID_IDENTITY_MISMATCH, orcid);
  }
}

/** 403 / 9010: we are not the source of the item, so we may not change it. */
export class NotSourceError extends OrcidRefusalError {
  constructor(response: Snapshot, orcid: OrcidErrorDetails | null) {
    super('This ORCID client is not the source of the item', response, ORCID_NOT_SOURCE, orcid);
  }
}

/** 9007 / 9018 / 9036 / 9044 / 9048: the record cannot take the change (locked, deactivated, full …). */
export class RecordUnavailableError extends OrcidRefusalError {
  constructor(response: Snapshot, orcid: OrcidErrorDetails | null) {
    super('The ORCID record cannot take changes now', response, ORCID_RECORD_UNAVAILABLE, orcid);
  }
}

/**
 * The member client may not create peer-review groups (`/group-id-record/update`), and the
 * configured group is not an `issn:` group (which ORCID would create on its own).
 */
export class GroupScopeMissingError extends OrcidApiError {
  readonly groupId: string;
  constructor(groupId: string, response: Snapshot) {
    super(
      `peerReviews.groupId ${JSON.stringify(groupId)} must exist at ORCID before reviews are posted, and this ORCID client may not ` +
        'create it (ORCID refused the /group-id-record/update scope). Ask ORCID to enable that scope for the client, create the group ' +
        'once by other means, or use the journal\'s ISSN group (issn:XXXX-XXXX), which ORCID creates by itself.',
      response,
      ORCID_GROUP_SCOPE_MISSING,
    );
    this.groupId = groupId;
  }
}
