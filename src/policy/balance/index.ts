// Balanced route groups: how a group of interchangeable targets orders its members per call.
export {
  BALANCE_STRATEGIES,
  type Balancer,
  type BalancerOptions,
  type BalanceStrategy,
  createBalancer,
} from './balancers.ts';
export { createMemberLoad, type LoadTicket, type MemberLoad } from './member-load.ts';
export { createPeakEwma, DEFAULT_DECAY_MS, type PeakEwma } from './peak-ewma.ts';
