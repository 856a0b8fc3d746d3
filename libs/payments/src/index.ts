export * from './links';
export * from './presenter';
export * from './aggregate';
export * from './operations';
export * from './saga';
export * from './events';
export * from './change';
export * from './webhook-view';
