/**
 * The checks ECR makes on one rule of a lifecycle policy, each failure naming the field at fault as
 * `rules[i].selection.countUnit`. Berth keeps every image in standard storage, so the archive parts
 * of ECR's policy language (action `transition`, storageClass `archive`, countType
 * `sinceImageTransitioned`) are refused rather than accepted and ignored.
 */
import type { LifecycleRule } from './types.js';
import { maxWildcardsPerPattern, wildcardsIn } from './tag-filter.js';

export class InvalidPolicy extends Error {}

type Fields = Record<string, unknown>;
type Selection = LifecycleRule['selection'];

const tagStatuses = ['tagged', 'untagged', 'any'] as const;
const countTypes = ['imageCountMoreThan', 'sinceImagePushed', 'sinceImagePulled', 'sinceImageTransitioned'] as const;

/** A JSON object whose keys are all among `known`. */
export function objectAt(value: unknown, at: string, known: readonly string[]): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidPolicy(`${at} must be a JSON object`);
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new InvalidPolicy(`${at} has unknown field(s): ${unknown.join(', ')}`);
  return value as Fields;
}

function required(value: unknown, at: string): unknown {
  if (value === undefined) throw new InvalidPolicy(`${at} is required`);
  return value;
}

function positiveInteger(value: unknown, at: string): number {
  if (typeof required(value, at) !== 'number' || !Number.isSafeInteger(value) || (value as number) < 1) {
    throw new InvalidPolicy(`${at} must be a positive integer`);
  }
  return value as number;
}

function oneOf<T extends string>(value: unknown, at: string, allowed: readonly T[]): T {
  if (!allowed.includes(required(value, at) as T)) throw new InvalidPolicy(`${at} must be one of ${allowed.join(', ')}`);
  return value as T;
}

function tagList(value: unknown, at: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0) throw new InvalidPolicy(`${at} must be a non-empty list of strings`);
  value.forEach((entry: unknown, index) => {
    if (typeof entry !== 'string' || entry === '') throw new InvalidPolicy(`${at}[${index}] must be a non-empty string`);
  });
  return value as string[];
}

function checkAction(value: unknown, at: string): void {
  const action = objectAt(required(value, at), at, ['type', 'targetStorageClass']);
  if (action.type === 'transition') {
    throw new InvalidPolicy(`${at}.type transition moves images to archive storage, which Berth does not have; use expire`);
  }
  oneOf(action.type, `${at}.type`, ['expire']);
  if (action.targetStorageClass !== undefined) throw new InvalidPolicy(`${at}.targetStorageClass is only allowed when ${at}.type is transition`);
}

function tagFilter(selection: Fields, tagStatus: Selection['tagStatus'], at: string): Pick<Selection, 'tagPrefixList' | 'tagPatternList'> {
  const tagPrefixList = tagList(selection.tagPrefixList, `${at}.tagPrefixList`);
  const tagPatternList = tagList(selection.tagPatternList, `${at}.tagPatternList`);
  if (tagStatus !== 'tagged') {
    const given = tagPrefixList !== undefined ? 'tagPrefixList' : tagPatternList !== undefined ? 'tagPatternList' : undefined;
    if (given !== undefined) throw new InvalidPolicy(`${at}.${given} is only allowed when ${at}.tagStatus is tagged`);
    return {};
  }
  if (tagPrefixList !== undefined && tagPatternList !== undefined) {
    throw new InvalidPolicy(`${at} may have tagPrefixList or tagPatternList, not both`);
  }
  if (tagPatternList !== undefined) {
    tagPatternList.forEach((pattern, index) => {
      if (wildcardsIn(pattern) > maxWildcardsPerPattern) {
        throw new InvalidPolicy(`${at}.tagPatternList[${index}] has more than ${maxWildcardsPerPattern} wildcards (*)`);
      }
    });
    return { tagPatternList };
  }
  if (tagPrefixList !== undefined) return { tagPrefixList };
  throw new InvalidPolicy(`${at}.tagStatus tagged needs a tagPrefixList or a tagPatternList`);
}

function countType(value: unknown, at: string): Selection['countType'] {
  const type = oneOf(value, at, countTypes);
  if (type === 'sinceImageTransitioned') throw new InvalidPolicy(`${at} sinceImageTransitioned counts days in archive storage, which Berth does not have`);
  // ECR lets pull age only archive an image (action transition). Berth has no archive tier, and
  // expiring what nobody pulled is what such a rule is for, so Berth expires on it: a documented extension.
  return type;
}

function parseSelection(value: unknown, at: string): Selection {
  const known = ['tagStatus', 'tagPrefixList', 'tagPatternList', 'storageClass', 'countType', 'countUnit', 'countNumber'];
  const selection = objectAt(required(value, at), at, known);
  const tagStatus = oneOf(selection.tagStatus, `${at}.tagStatus`, tagStatuses);
  const filter = tagFilter(selection, tagStatus, at);
  if (selection.storageClass === 'archive') throw new InvalidPolicy(`${at}.storageClass archive selects archived images, which Berth does not have`);
  // standard is what ECR assumes when storageClass is left out, so it changes nothing.
  if (selection.storageClass !== undefined) oneOf(selection.storageClass, `${at}.storageClass`, ['standard']);
  const count = countType(selection.countType, `${at}.countType`);
  if (count === 'imageCountMoreThan') {
    if (selection.countUnit !== undefined) throw new InvalidPolicy(`${at}.countUnit is not allowed when ${at}.countType is imageCountMoreThan`);
  } else {
    oneOf(selection.countUnit, `${at}.countUnit`, ['days']);
  }
  const countNumber = positiveInteger(selection.countNumber, `${at}.countNumber`);
  return { tagStatus, ...filter, countType: count, ...(count === 'imageCountMoreThan' ? {} : { countUnit: 'days' as const }), countNumber };
}

export function parseRule(value: unknown, at: string): LifecycleRule {
  const rule = objectAt(value, at, ['rulePriority', 'description', 'selection', 'action']);
  const rulePriority = positiveInteger(rule.rulePriority, `${at}.rulePriority`);
  if (rule.description !== undefined && typeof rule.description !== 'string') throw new InvalidPolicy(`${at}.description must be a string`);
  checkAction(rule.action, `${at}.action`);
  const selection = parseSelection(rule.selection, `${at}.selection`);
  return { rulePriority, ...(rule.description === undefined ? {} : { description: rule.description }), selection, action: { type: 'expire' } };
}
