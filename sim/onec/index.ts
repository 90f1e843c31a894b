export {
  OneCSimulator,
  type OneCSimulatorOptions,
  type OneCSimData,
  type OneCFaults,
  type OneCFaultSpec,
  type OneCCall,
  type OneCSetAlias,
  type ODataRow,
} from './onec-simulator.js';
export { parseFilter, evaluate, FilterError } from './odata-filter.js';
export { ChangeFeed, FeedProtocolError, type FeedRegistration, type FeedCounters } from './change-feed.js';
export { Doorbell, doorbellSignature, type DoorbellOptions, type DoorbellRing } from './doorbell.js';
