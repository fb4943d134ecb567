"""The columns of every `-search` resource, in wire order (`metaData.columns`, API.md §5).

The resource modules build one record per row keyed by these column names and hand the records
to the engine in search.py; `reference` names the referenceData block a resource resolves.
"""

from __future__ import annotations

from portal.sandbox.search import BOOLEAN, IDSET, INTEGER, PERIOD, SEARCH_STRING, STRING, Column, SearchSpec

# --- order-service -------------------------------------------------------------------------
ORDER_SEARCH = SearchSpec(
    columns=(
        Column("orderId", IDSET),
        Column("orderTypeId", IDSET, reference="orderTypeNames"),
        Column("contactId", INTEGER),
        Column("orderStatusId", INTEGER, reference="orderStatusNames"),
        Column("orderStockStatusId", INTEGER, reference="orderStockStatusNames"),
        Column("createdOn", PERIOD),
        Column("createdById", INTEGER),
        Column("customerRef", STRING),
        Column("orderPaymentStatusId", INTEGER, reference="orderPaymentStatusNames"),
        Column("updatedOn", PERIOD),
        Column("parentOrderId", IDSET),
        Column("orderShippingStatusId", INTEGER, reference="orderShippingStatusNames"),
        Column("externalRef", STRING),
        Column("installedIntegrationInstanceId", INTEGER),
        Column("warehouseId", IDSET),
        Column("staffOwnerContactId", INTEGER),
        Column("taxDate", PERIOD),
        Column("departmentId", INTEGER),
        Column("deliveryDate", PERIOD),
    ),
    default_sort="orderId",
)

NOTE_SEARCH = SearchSpec(
    columns=(
        Column("orderId", IDSET),
        Column("noteId", IDSET),
        Column("contactId", IDSET),
        Column("noteText", SEARCH_STRING),
        Column("isPublic", BOOLEAN),
        Column("dateAdded", PERIOD),
        Column("addedBy", IDSET),
        Column("orderStatusId", IDSET),
    ),
    default_sort="noteId",
)

# --- contact-service -----------------------------------------------------------------------
CONTACT_SEARCH = SearchSpec(
    columns=(
        Column("contactId", IDSET),
        Column("primaryEmail", SEARCH_STRING),
        Column("secondaryEmail", SEARCH_STRING),
        Column("tertiaryEmail", SEARCH_STRING),
        Column("firstName", SEARCH_STRING),
        Column("lastName", SEARCH_STRING),
        Column("isSupplier", BOOLEAN, sortable=False),
        Column("companyName", SEARCH_STRING),
        Column("isStaff", BOOLEAN, sortable=False),
        Column("isCustomer", BOOLEAN, sortable=False),
        Column("createdOn", PERIOD),
        Column("updatedOn", PERIOD),
        Column("lastContactedOn", PERIOD),
        Column("lastOrderedOn", PERIOD),
        Column("nominalCode", INTEGER),
        Column("isPrimary", BOOLEAN),
        Column("pri", STRING, sortable=False),
        Column("sec", STRING, sortable=False),
        Column("mob", STRING, sortable=False),
        Column("exactCompanyName", STRING),
        Column("title", STRING),
    ),
    default_sort="contactId",
)

# --- warehouse-service ---------------------------------------------------------------------
GOODS_OUT_SEARCH = SearchSpec(
    columns=(
        Column("goodsOutNoteId", INTEGER),
        Column("printed", BOOLEAN),
        Column("picked", BOOLEAN),
        Column("packed", BOOLEAN),
        Column("shipped", BOOLEAN),
        Column("shippedOn", PERIOD),
        Column("orderId", INTEGER),
        Column("shippingMethodId", IDSET),
        Column("warehouseId", INTEGER),
        Column("priority", BOOLEAN),
        Column("createdOn", PERIOD),
        Column("releaseDate", PERIOD),
        Column("createdBy", INTEGER),
    ),
    default_sort="goodsOutNoteId",
)

# --- accounting-service --------------------------------------------------------------------
STATEMENT_SEARCH = SearchSpec(
    columns=(
        Column("journalId", INTEGER),
        Column("orderId", IDSET),
        Column("journalTypeCode", STRING),
        Column("journalDate", PERIOD),
        Column("journalDueDate", PERIOD),
        Column("reference", SEARCH_STRING),
        Column("customerReference", SEARCH_STRING),
        Column("invoiceAmount", STRING),
        Column("paidAmount", STRING),
        Column("dueAmount", STRING),
    ),
    default_sort="journalDate",
    filter_only=(Column("contactId", INTEGER), Column("currencyId", INTEGER)),
)

PAYMENT_SEARCH = SearchSpec(
    columns=(
        Column("paymentId", IDSET),
        Column("transactionRef", STRING, sortable=False),
        Column("transactionCode", STRING, sortable=False),
        Column("paymentMethodCode", STRING, sortable=False),
        Column("paymentType", STRING, sortable=False),
        Column("orderId", IDSET, sortable=False),
        Column("currencyId", IDSET, sortable=False),
        Column("currencyCode", STRING, sortable=False),
        Column("amountAuthorized", STRING, sortable=False),
        Column("amountPaid", STRING, sortable=False),
        Column("expires", PERIOD, sortable=False),
        Column("paymentDate", PERIOD),
        Column("createdOn", PERIOD),
        Column("journalId", IDSET),
    ),
    default_sort="paymentId",
)

# --- product-service -----------------------------------------------------------------------
PRODUCT_SEARCH = SearchSpec(
    columns=(
        Column("productId", IDSET, reference="productCategoryMembership"),
        Column("productName", SEARCH_STRING),
        Column("SKU", STRING),
        Column("barcode", STRING),
        Column("EAN", STRING),
        Column("UPC", STRING),
        Column("ISBN", STRING),
        Column("MPN", STRING),
        Column("stockTracked", BOOLEAN),
        Column("salesChannelName", STRING),
        Column("createdOn", PERIOD),
        Column("updatedOn", PERIOD),
        Column("brightpearlCategoryCode", IDSET),
        Column("productGroupId", INTEGER),
        Column("brandId", IDSET),
        Column("productTypeId", IDSET),
        Column("productStatus", STRING),
        Column("primarySupplierId", IDSET),
    ),
    default_sort="productId",
)
