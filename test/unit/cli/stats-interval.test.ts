/** `--stats-interval`: seconds become the agents' statsIntervalMs (0 turns sampling off); absent, the agent's default holds. */
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
    return { error: error ?? 'refused' };
  }
  return { flags: command.opts<AgentFlags>() };
}

describe('--stats-interval', () => {
  it("becomes the agents' statsIntervalMs, 0 included, and is absent by default", () => {
    assert.equal(agentSettingsOf(parse(['--stats-interval', '5']).flags!, 'us-east-1').statsIntervalMs, 5_000);
    assert.equal(agentSettingsOf(parse(['--stats-interval', '0']).flags!, 'us-east-1').statsIntervalMs, 0);
    const previous = process.env.BERTH_AGENT_STATS_INTERVAL;
    delete process.env.BERTH_AGENT_STATS_INTERVAL;
    try {
      assert.equal('statsIntervalMs' in agentSettingsOf(parse([]).flags!, 'us-east-1'), false);
    } finally {
      if (previous !== undefined) process.env.BERTH_AGENT_STATS_INTERVAL = previous;
    }
  });

  it('refuses what is not a whole number of seconds, saying so', () => {
    assert.match(parse(['--stats-interval', '1.5']).error ?? '', /--stats-interval must be a whole number of at least 0\./);
    assert.match(parse(['--stats-interval', '-1']).error ?? '', /--stats-interval must be a whole number of at least 0\./);
  });
});
