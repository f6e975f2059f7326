import { expect } from 'chai';
import { EVENT_TYPES } from '../../../../core/events/DomainEvent.js';
import { AGGREGATE_TYPES, entityOf, type AggregateType } from '../../../../core/model/catalogue.js';
import { projectionUpdate } from '../../../../core/projections/ProjectionUpdates.js';

// The projector runs an event's update for an entity only where the catalogue projects that entity from the
// event's: an update the catalogue does not reach would be dead, an event its own entity does not follow lost.
describe('projection updates (core/projections/ProjectionUpdates.ts) against the entity catalogue', () => {
  const entityOfEvent = (event: string) => event.replace(/(Created|Updated|Deleted)$/, '').toLowerCase() as AggregateType;

  it('every event type changes its own entity\'s projections', () => {
    for (const event of EVENT_TYPES) expect(projectionUpdate(event, entityOfEvent(event)), event).to.be.a('function');
  });

  it('every update is for an entity the catalogue projects from the event\'s entity', () => {
    const updates: string[] = [];
    for (const event of EVENT_TYPES) {
      for (const type of AGGREGATE_TYPES) {
        if (!projectionUpdate(event, type)) continue;
        updates.push(`${event} → ${type}`);
        expect(entityOf(type).projectedFrom, `${event} → ${type}`).to.include(entityOfEvent(event));
      }
    }
    expect(updates).to.include('ProductUpdated → order');
    expect(updates).to.not.include('ProductDeleted → order');
  });
});
