export * from './prisma';
export * from './ids';
export * from './sql';
