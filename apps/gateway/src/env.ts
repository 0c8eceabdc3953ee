import { commonEnv, parseEnv, portSchema, searchEnv } from '@paperwire/config';
import { z } from 'zod';

export const gatewayEnv = {
  ...commonEnv,
  ...searchEnv,
  GATEWAY_PORT: portSchema.default(3000),
  GATEWAY_HOST: z.string().min(1).default('0.0.0.0'),
};

export type GatewayEnv = z.output<z.ZodObject<typeof gatewayEnv>>;

export const env: GatewayEnv = parseEnv(gatewayEnv, process.env);
