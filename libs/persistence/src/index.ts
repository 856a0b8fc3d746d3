export * from './prisma';
export * from './ids';
