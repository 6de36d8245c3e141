export { identifyAgentLeg, type AgentLegIdentity, type AgentLegRole } from './agent-leg';
export { CALL_ID_VARIABLE, callIdOf, legIdsOf } from './call-identity';
export {
  applyEvent,
  closeOutCall,
  DEFAULT_CALL_MODEL_OPTIONS,
  type CallModelOptions,
  type CallUpdate,
} from './call-model';
export { newCallState, type AgentLegState, type CallState } from './call-state';
export { eventSequenceOf, legIdOf, type ChannelEvent } from './channel-event';
export * from './notifications';
