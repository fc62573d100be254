/**
 * A host's own tests against the emulator, through its control API (`/_emulator/…`, HTTP only):
 * add researchers, read what was posted to a record.
 */

/** One item on a researcher's record at the emulator (a work, peer review, service…). */
export interface EmulatorRecordItem {
  putCode: string;
  /** `work`, `peer-review`, `service`, … */
  type: string;
  /** e.g. `journal-article` for a work. */
  itemType?: string;
  title: string;
  sourceClientId: string;
  externalIds: { type: string; value: string; relationship?: string }[];
  /** The posted XML as ORCID received it. */
  xml?: string;
}

/**
 * Add a researcher to the emulator and return their new ORCID iD.
 * @example
 * const josiah = await addResearcher(emulator.url, { givenNames: 'Josiah', familyName: 'Carberry', email: 'josiah@example.org' });
 */
export async function addResearcher(emulatorUrl: string, researcher: { givenNames: string; familyName: string; email?: string; orcid?: string }): Promise<string> {
  const res = await fetch(`${emulatorUrl}/_emulator/researchers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(researcher) });
  if (res.status !== 201) throw new Error(`the emulator refused the researcher (${res.status}): ${await res.text()}`);
  return ((await res.json()) as { orcid: string }).orcid;
}

/**
 * The items on `orcid`'s record at the emulator: what the plugin has posted so far.
 * @example
 * const works = (await recordItems(emulator.url, josiah)).filter((i) => i.type === 'work');
 */
export async function recordItems(emulatorUrl: string, orcid: string): Promise<EmulatorRecordItem[]> {
  const res = await fetch(`${emulatorUrl}/_emulator/records/${encodeURIComponent(orcid)}`);
  if (res.status !== 200) throw new Error(`the emulator has no record ${orcid} (${res.status})`);
  return ((await res.json()) as { items: EmulatorRecordItem[] }).items;
}
