export { CLICK_TO_CALL_VARIABLES, identifyAgentLeg, type AgentLegIdentity, type AgentLegRole } from './agent-leg';
export { CALL_ID_VARIABLE, callIdOf, callKeyOf, relatedLegIds, resolveCallId } from './call-identity';
export { DEFAULT_CALL_MODEL_OPTIONS, type CallModelOptions, type ReportingPolicy } from './call-model-options';
export { applyEvent, MalformedChannelEventError, type CallUpdate } from './call-reducer';
export { crmCallIdOf, legIdsOfCall, newCallState, type AgentLegState, type CallState, type CloseOutReason, type OtherLegState } from './call-state';
export { eventSequenceOf, eventTimeMicros, hangupCauseOf, legIdOf, type ChannelEvent } from './channel-event';
export { closeOutCall, closeOutLegs } from './close-out';
export * from './notifications';
