// The breakglass HTTP application as a Fastify plugin: security headers, problem+json errors, OpenAPI, and the
// routes. It receives its dependencies (the Runtime) as options, so tests build it around any store and clock.
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { Runtime } from './runtime.ts';
import { authLayer } from './auth/auth-plugin.ts';
import { accountRoutes } from './routes/account-routes.ts';
import { enrollmentRoutes } from './routes/enrollment-routes.ts';
import { inventoryRoutes } from './routes/inventory-routes.ts';
import { auditLogRoutes } from './routes/audit-log-routes.ts';
import { auditPublicRoutes } from './routes/audit-public-routes.ts';
import { authRoutes } from './routes/auth-routes.ts';
import { clientRoutes } from './routes/client-routes.ts';
import { meRoutes, officerRoutes } from './routes/officer-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { drillRoutes } from './routes/drill-routes.ts';
import { alertRoutes, incidentRoutes } from './routes/incident-routes.ts';
import { reportRoutes } from './routes/report-routes.ts';
import { registerProblemHandlers } from './routes/problem.ts';

declare module 'fastify' {
  interface FastifyInstance {
    runtime: Runtime;
  }
}

export interface AppOptions {
  runtime: Runtime;
}

const app: FastifyPluginAsyncTypebox<AppOptions> = async (fastify, opts) => {
  fastify.decorate('runtime', opts.runtime);
  registerProblemHandlers(fastify);

  await fastify.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        upgradeInsecureRequests: opts.runtime.config.server.tls ? [] : null,
      },
    },
    // Only set HSTS when the service itself terminates TLS.
    strictTransportSecurity: opts.runtime.config.server.tls ? { maxAge: 31_536_000 } : false,
  });

  // Sessions, CSRF, roles, step-up and rate limits: before any /api route (each must declare config.access).
  await fastify.register(authLayer, { runtime: opts.runtime });

  await fastify.register(swagger, {
    openapi: {
      info: { title: 'breakglass API', version: '0.1.0', description: 'Emergency-access account and FIDO2 key lifecycle for Microsoft Entra ID.' },
    },
  });
  await fastify.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await fastify.register(healthRoutes);
  await fastify.register(auditPublicRoutes, { prefix: '/api/audit' });
  await fastify.register(auditLogRoutes, { prefix: '/api/audit' });
  await fastify.register(authRoutes, { prefix: '/api/auth' });
  await fastify.register(meRoutes, { prefix: '/api/me' });
  await fastify.register(officerRoutes, { prefix: '/api/officers' });
  await fastify.register(accountRoutes, { prefix: '/api/accounts' });
  await fastify.register(inventoryRoutes, { prefix: '/api/inventory' });
  await fastify.register(enrollmentRoutes, { prefix: '/api/enrollments' });
  await fastify.register(drillRoutes, { prefix: '/api/drills' });
  await fastify.register(incidentRoutes, { prefix: '/api/incidents' });
  await fastify.register(alertRoutes, { prefix: '/api/alerts' });
  await fastify.register(reportRoutes, { prefix: '/api/reports' });
  // Last: the web front end and its SPA fallback.
  await fastify.register(clientRoutes);
};

export const breakglassApp = fp(app, { name: 'breakglass', fastify: '5.x' });
