/** Connection string the queue uses (the same PostgreSQL as the application). */
export const QUEUE_DATABASE_URL = Symbol('QueueDatabaseUrl');
