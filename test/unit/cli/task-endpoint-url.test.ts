/** `--task-endpoint-url`: an http(s) URL becomes the agents' taskEndpointUrl; anything else is refused with the reason. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { agentSettingsOf, withAgentOptions, type AgentFlags } from '../../../src/cli/agent-options.js';

function parse(args: string[]): { flags?: AgentFlags; error?: string } {
  let error: string | undefined;
  const command = withAgentOptions(new Command('agent'))
    .exitOverride()
    .configureOutput({ writeErr: (text) => (error = text), writeOut: () => undefined });
  try {
    command.parse(args, { from: 'user' });
  } catch {
    return { ...(error !== undefined ? { error } : { error: 'refused' }) };
  }
  return { flags: command.opts<AgentFlags>() };
}

describe('--task-endpoint-url', () => {
  it('becomes the agents\' taskEndpointUrl, and is absent by default', () => {
    const given = parse(['--task-endpoint-url', 'http://172.17.0.1:4566']);
    assert.equal(agentSettingsOf(given.flags!, 'us-east-1').taskEndpointUrl, 'http://172.17.0.1:4566');
    const previous = process.env.BERTH_TASK_ENDPOINT_URL;
    delete process.env.BERTH_TASK_ENDPOINT_URL;
    try {
      assert.equal('taskEndpointUrl' in agentSettingsOf(parse([]).flags!, 'us-east-1'), false);
    } finally {
      if (previous !== undefined) process.env.BERTH_TASK_ENDPOINT_URL = previous;
    }
  });

  it('refuses what is not an http or https URL, saying so', () => {
    assert.match(parse(['--task-endpoint-url', 'not a url']).error ?? '', /'not a url' is not a URL such as http:\/\/172\.17\.0\.1:4566\./);
    assert.match(parse(['--task-endpoint-url', 'ftp://host/']).error ?? '', /'ftp:\/\/host\/' is not an http:\/\/ or https:\/\/ URL\./);
  });
});
