/**
 * @module gateway/proxy/balancer.test
 * Round-robin and passive health on a hand-driven clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Balancer } from './balancer.ts';

function balancerOf(targets: string[], after = 2, cooldown = 1000) {
  let now = 0;
  const changes: string[] = [];
  const balancer = new Balancer(targets, {
    unhealthyAfterFailures: after,
    unhealthyCooldownMs: cooldown,
    now: () => now,
    onHealthChange: (target, healthy) => changes.push(`${target}:${healthy ? 'up' : 'down'}`),
  });
  const member = (target: string) => balancer.members.find((m) => m.target === target)!;
  const picks = (count: number) => Array.from({ length: count }, () => balancer.pick()!.target);
  return {
    balancer,
    member,
    picks,
    changes,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('Balancer', () => {
  it('rotates over the URLs in order', () => {
    const { picks } = balancerOf(['a', 'b', 'c']);
    assert.deepEqual(picks(7), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  });

  it('takes a URL out after N consecutive failures; a success in between resets the count', () => {
    const { balancer, member, picks, changes } = balancerOf(['a', 'b']);
    balancer.failed(member('a'));
    balancer.succeeded(member('a'));
    balancer.failed(member('a'));
    assert.deepEqual(picks(4), ['a', 'b', 'a', 'b']);
    balancer.failed(member('a'));
    assert.deepEqual(picks(4), ['b', 'b', 'b', 'b']);
    assert.deepEqual(changes, ['a:down']);
  });

  it('lets one probe through after the cooldown, and takes the URL back on its success', () => {
    const { balancer, member, picks, changes, advance } = balancerOf(['a', 'b']);
    balancer.failed(member('a'));
    balancer.failed(member('a'));
    advance(999);
    assert.deepEqual(picks(3), ['b', 'b', 'b']);
    advance(1);
    const probe = balancer.pick()!;
    assert.equal(probe.target, 'a');
    assert.deepEqual(picks(3), ['b', 'b', 'b'], 'a single probe while its answer is pending');
    balancer.succeeded(probe);
    assert.deepEqual(picks(4).sort(), ['a', 'a', 'b', 'b']);
    assert.deepEqual(changes, ['a:down', 'a:up']);
  });

  it('keeps a URL out for another cooldown when its probe fails', () => {
    const { balancer, member, picks, advance } = balancerOf(['a', 'b']);
    balancer.failed(member('a'));
    balancer.failed(member('a'));
    advance(1000);
    const probe = balancer.pick()!;
    balancer.failed(probe);
    advance(999);
    assert.deepEqual(picks(3), ['b', 'b', 'b']);
    advance(1);
    assert.equal(balancer.pick()!.target, 'a');
  });

  it('with every URL out, tries the one whose cooldown ends first', () => {
    const { balancer, member, advance } = balancerOf(['a', 'b', 'c'], 1);
    balancer.failed(member('b'));
    advance(10);
    balancer.failed(member('a'));
    balancer.failed(member('c'));
    assert.equal(balancer.pick()!.target, 'b');
  });

  it('skips the URLs already tried for a request, and says when none is left', () => {
    const { balancer } = balancerOf(['a', 'b']);
    assert.equal(balancer.pick(new Set(['a']))!.target, 'b');
    assert.equal(balancer.pick(new Set(['a', 'b'])), undefined);
    const single = balancerOf(['only']).balancer;
    assert.equal(single.pick(new Set(['only'])), undefined);
  });
});
