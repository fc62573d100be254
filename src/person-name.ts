/**
 * A person's name as the reader's language writes it. Pure.
 *
 * - A name written in Han characters (王 + 芳) is family name first without a space (王芳), in every
 *   language: that is how the name itself is written, and "芳 王" is never right.
 * - Any other name is given names first with a space (Josiah Carberry), in English and in Chinese
 *   pages alike: Chinese text keeps a Latin-script name in its owner's order.
 * - In zh-Hans, a name whose family name is in Han characters but given names are not (rare, typed
 *   half and half) is still family first, with a space, because Chinese readers read the family
 *   name first.
 */
export interface NameParts {
  givenNames?: string | null;
  familyName?: string | null;
}

// Han ideographs (CJK Unified, Extension A, Compatibility) and the interpunct used inside names.
const HAN = /^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u00b7\u30fb]+$/u;

const isHan = (s: string) => HAN.test(s);

export function personName(parts: NameParts, locale: string = 'en'): string {
  const given = (parts.givenNames ?? '').trim();
  const family = (parts.familyName ?? '').trim();
  if (!given || !family) return given || family;
  if (isHan(family) && isHan(given)) return `${family}${given}`;
  if (locale === 'zh-Hans' && isHan(family)) return `${family} ${given}`;
  return `${given} ${family}`;
}
