/**
 * A policy document IAM would refuse. `message` is IAM's MalformedPolicyDocument text, word for
 * word where known (what an API answers); `detail` says in Berth's words what is wrong and where,
 * for the caller's help. Pure: the API turns it into its own error (IAM: MalformedPolicyDocument,
 * ECR: InvalidParameterException).
 */
export class PolicyDocumentError extends Error {
  override readonly name = 'PolicyDocumentError';
  constructor(
    message: string,
    readonly detail: string,
  ) {
    super(message);
  }
}

/** IAM's texts for MalformedPolicyDocument. */
export const iamMessages = {
  syntax: 'Syntax errors in policy.',
  principalNotAllowed: 'Policy document should not specify a principal.',
  prohibitedField: (field: string) => `Has prohibited field ${field}`,
  missingField: (field: string) => `Missing required field ${field}`,
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  vendorPrefix: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  resourceFormat: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  duplicateSid: 'Statement IDs (SID) in a single policy must be unique.',
  sidFormat: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  conditionType: (operator: string) => `Invalid Condition type : ${operator}`,
} as const;
