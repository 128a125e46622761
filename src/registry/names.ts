/** Repository names and tags as the OCI Distribution Spec and ECR allow them. */

// One path component: lowercase alphanumerics separated by '.', '_', '__', or any number of '-'.
const component = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const repositoryNamePattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** ECR's bounds on a repository name's length. */
export const repositoryNameLength = { min: 2, max: 256 };

/** Why a repository name is not valid, or undefined when it is. */
export function repositoryNameProblem(name: string): string | undefined {
  if (name.length < repositoryNameLength.min || name.length > repositoryNameLength.max) {
    return `must be ${repositoryNameLength.min}–${repositoryNameLength.max} characters long`;
  }
  if (!repositoryNamePattern.test(name)) {
    return "must be lowercase letters and digits, in '/'-separated parts that may contain '.', '_' or '-' between letters and digits";
  }
  return undefined;
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag);
}
