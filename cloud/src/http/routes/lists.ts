// A household's shopping list and its unknown-products inbox. The bearer hook of the /api scope has
// already checked that the token may reach `:household`; handlers only call the list domain.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ListEvents } from '../../domains/lists/list-events.js'
import { deleteItem, getList, updateItem } from '../../domains/lists/list-service.js'
import { listUnknown, nameProduct } from '../../domains/lists/unknown-products.js'
import type { Db } from '../../storage/db.js'
import {
  errorResponses,
  HouseholdParams,
  ItemParams,
  ItemPatchBody,
  ItemSchema,
  ListResponse,
  NameBody,
  NameResponse,
  NoContent,
  ProductParams,
  UnknownResponse,
} from '../schemas.js'

export interface ListRoutesOptions {
  db: Db
  listEvents: ListEvents
}

export const listRoutes: FastifyPluginAsyncTypebox<ListRoutesOptions> = async (app, { db, listEvents }) => {
  const ctx = { events: listEvents }

  app.get(
    '/households/:household/list',
    { schema: { params: HouseholdParams, response: { 200: ListResponse, ...errorResponses } } },
    async (request) => getList(db, request.params.household),
  )

  app.patch(
    '/households/:household/items/:item',
    {
      schema: {
        params: ItemParams,
        body: ItemPatchBody,
        response: { 200: ItemSchema, ...errorResponses },
      },
    },
    async (request) => updateItem(db, request.params.household, request.params.item, request.body, ctx),
  )

  app.delete(
    '/households/:household/items/:item',
    { schema: { params: ItemParams, response: { 204: NoContent, ...errorResponses } } },
    async (request, reply) => {
      await deleteItem(db, request.params.household, request.params.item, ctx)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/households/:household/unknown',
    { schema: { params: HouseholdParams, response: { 200: UnknownResponse, ...errorResponses } } },
    async (request) => ({ products: await listUnknown(db, request.params.household) }),
  )

  // `:code` is the item's key as the list returns it; fastify has already URL-decoded it.
  app.put(
    '/households/:household/unknown/:code',
    {
      schema: {
        params: ProductParams,
        body: NameBody,
        response: { 200: NameResponse, ...errorResponses },
      },
    },
    async (request) => nameProduct(db, request.params.household, request.params.code, request.body, ctx),
  )
}
