/**
 * ListSecrets filters, as Secrets Manager documents them: name, tag-key and tag-value match the start
 * of the attribute, case-sensitive; description matches when every word of the value begins a word
 * of the description, and all when any word of the value begins a word of the name, description or
 * tags, both case-insensitive. A value starting with "!" matches what the rest does not. Values of
 * one filter are alternatives; separate filters must all match.
 */
import { FilterNameStringType } from '@aws-sdk/client-secrets-manager';
import type { SecretRecord } from '../store/types.js';
import { constraintFailed, invalidParameter } from './errors.js';
import { checkLength, requireMember } from './validate.js';

export interface SecretFilter {
  key: FilterNameStringType;
  values: string[];
}

const filterKeys = Object.values(FilterNameStringType) as string[];
const valuePattern = /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/;

export function checkFilters(filters: { Key?: string; Values?: string[] }[] | undefined): SecretFilter[] {
  if (filters === undefined) return [];
  if (filters.length > 10) throw constraintFailed('filters', filters, 'have length less than or equal to 10', true);
  return filters.map((filter, index) => {
    const at = `filters.${index + 1}.member`;
    if (filter.Key === undefined) throw invalidParameter(`Invalid filter key: Filters[${index}] has no Key.`);
    if (!filterKeys.includes(filter.Key)) throw constraintFailed(`${at}.key`, filter.Key, `satisfy enum value set: [${filterKeys.join(', ')}]`);
    const values = requireMember(filter.Values, `${at}.values`);
    if (values.length < 1 || values.length > 10) throw constraintFailed(`${at}.values`, values, 'have length between 1 and 10', true);
    values.forEach((value, position) => {
      checkLength(value, `${at}.values.${position + 1}.member`, 0, 512);
      if (!valuePattern.test(value)) {
        throw constraintFailed(`${at}.values.${position + 1}.member`, value, 'satisfy regular expression pattern: ^\\!?[a-zA-Z0-9 :_@\\/\\+\\=\\.\\-\\!]*$');
      }
    });
    return { key: filter.Key as FilterNameStringType, values };
  });
}

/** Words split at punctuation and spaces, at a lowercase-to-uppercase change and between letters and digits. */
export function wordsOf(text: string): string[] {
  return text.split(/[^A-Za-z0-9]+/).flatMap((part) => part.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? []);
}

const beginsAWordOf = (words: string[]) => (word: string) => words.some((candidate) => candidate.toLowerCase().startsWith(word.toLowerCase()));

function matchesTerm(record: SecretRecord, key: FilterNameStringType, term: string): boolean {
  switch (key) {
    case 'name':
      return record.name.startsWith(term);
    case 'tag-key':
      return record.tags.some((tag) => tag.Key.startsWith(term));
    case 'tag-value':
      return record.tags.some((tag) => tag.Value.startsWith(term));
    case 'description':
      return record.description !== undefined && wordsOf(term).every(beginsAWordOf(wordsOf(record.description)));
    case 'all': {
      const attributes = [record.name, record.description ?? '', ...record.tags.flatMap((tag) => [tag.Key, tag.Value])];
      return wordsOf(term).some(beginsAWordOf(attributes.flatMap(wordsOf)));
    }
    // Berth neither replicates secrets nor lets other services own them.
    case 'primary-region':
    case 'owning-service':
      return false;
  }
}

function matchesValue(record: SecretRecord, key: FilterNameStringType, value: string): boolean {
  return value.startsWith('!') ? !matchesTerm(record, key, value.slice(1)) : matchesTerm(record, key, value);
}

export function matchesFilters(record: SecretRecord, filters: SecretFilter[]): boolean {
  return filters.every((filter) => filter.values.some((value) => matchesValue(record, filter.key, value)));
}
