import { grpc } from 'google-gax';

/**
 * The gRPC calls of one Firestore client, so that its owner can end every request the client has
 * sent: cancel() cancels the calls still open, and a retry the library sends later for a request
 * sent before is cancelled as it starts. Calls wait for a connection instead of failing at once
 * while there is none, so an unreachable Firestore leaves open calls, which can be cancelled,
 * rather than the library's retry timers (up to ten minutes of them for a commit), which cannot.
 * A cancelled request fails with CANCELLED, which neither the library nor its gRPC layer retries.
 */
export class CancellableRequests {
  private generation = 0;
  private reason = 'cancelled';
  private cancellingAll = false;
  private readonly sentIn = new WeakMap<object, number>();
  private readonly open = new Set<grpc.InterceptingCall>();

  /** Settings for `new Firestore(...)` that route the client's calls through this, over gRPC (REST calls could not be cancelled). */
  readonly firestoreSettings = {
    preferRest: false,
    'grpc.callInvocationTransformer': (properties: grpc.CallProperties<unknown, unknown>) => this.transform(properties),
  };

  /** Calls open now, for tests. */
  get openCalls(): number {
    return this.open.size;
  }

  /** Ends every request sent so far, now or when the library next tries it again. */
  cancel(reason: string): void {
    this.generation += 1;
    this.reason = reason;
    for (const call of this.open) call.cancelWithStatus(grpc.status.CANCELLED, reason);
  }

  /** Ends every request, those sent so far and any sent from now on, for a client that is closing. */
  cancelAll(reason: string): void {
    this.cancellingAll = true;
    this.cancel(reason);
  }

  private transform(properties: grpc.CallProperties<unknown, unknown>): grpc.CallProperties<unknown, unknown> {
    const request = properties.argument;
    let generation = this.generation;
    if (typeof request === 'object' && request !== null) {
      // The library sends the same request object again when it retries.
      generation = this.sentIn.get(request) ?? generation;
      this.sentIn.set(request, generation);
    }
    const interceptors = [...(properties.callOptions.interceptors ?? []), this.interceptor(generation)];
    return { ...properties, callOptions: { ...properties.callOptions, interceptors } };
  }

  private interceptor(generation: number): grpc.Interceptor {
    return (options, nextCall) => {
      const call: grpc.InterceptingCall = new grpc.InterceptingCall(nextCall(options), {
        start: (metadata, _listener, next) => {
          metadata.setOptions({ ...metadata.getOptions(), waitForReady: true });
          this.open.add(call);
          next(metadata, {
            onReceiveStatus: (status, nextStatus) => {
              this.open.delete(call);
              nextStatus(status);
            },
          });
          if (this.cancellingAll || generation < this.generation) call.cancelWithStatus(grpc.status.CANCELLED, this.reason);
        },
      });
      return call;
    };
  }
}
