export * from './platform';
export * from './bounded-context';
export * from './microservice';
export * from './image';
export * from './port';
export * from './probe';
export * from './priority-tier';
export * from './disruption-budget';
